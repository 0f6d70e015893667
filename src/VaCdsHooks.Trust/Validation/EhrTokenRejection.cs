using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>Why an EHR's call was refused. Each reason maps to a short, non-revealing problem detail.</summary>
public enum EhrTokenRejection
{
    /// <summary>No bearer token was presented.</summary>
    MissingToken,

    /// <summary>The bearer value is not a compact, signed JWT with the expected headers.</summary>
    MalformedToken,

    /// <summary>The <c>alg</c> is <c>none</c>, symmetric, or otherwise not accepted.</summary>
    UnsupportedAlgorithm,

    /// <summary>The header lists critical extensions (<c>crit</c>) we do not implement (RFC 7515 section 4.1.11).</summary>
    UnsupportedCriticalHeader,

    /// <summary>The <c>iss</c> is not a registered EHR client.</summary>
    UnknownIssuer,

    /// <summary>The <c>jku</c> header is not on the issuer's allow-list.</summary>
    JkuNotAllowed,

    /// <summary>The <c>kid</c> is missing or names no key of the issuer usable with the token's <c>alg</c>.</summary>
    UnknownSigningKey,

    /// <summary>The issuer's JWK Set could not be retrieved.</summary>
    SigningKeysUnavailable,

    /// <summary>The signature does not verify.</summary>
    InvalidSignature,

    /// <summary>The token has expired.</summary>
    Expired,

    /// <summary>The token's <c>nbf</c> or <c>iat</c> lies in the future.</summary>
    NotYetValid,

    /// <summary><c>exp</c> or <c>iat</c> is missing, or <c>exp - iat</c> exceeds the maximum lifetime.</summary>
    LifetimeNotAcceptable,

    /// <summary>The token has no <c>jti</c>.</summary>
    MissingJti,

    /// <summary>The <c>aud</c> is not this endpoint's URL.</summary>
    WrongAudience,

    /// <summary>The <c>tenant</c> claim differs from the client registration's tenant.</summary>
    TenantMismatch,

    /// <summary>The <c>jti</c> was already used by an earlier, unexpired token.</summary>
    Replayed,

    /// <summary>The replay cache could not record the token.</summary>
    ReplayCheckUnavailable,

    /// <summary>Any other validation failure.</summary>
    InvalidToken,
}

/// <summary>Texts and codes for <see cref="EhrTokenRejection"/>, shown to the caller in a 401 problem.</summary>
public static class EhrTokenRejections
{
    private static readonly FrozenDictionary<EhrTokenRejection, string> Codes = Enum.GetValues<EhrTokenRejection>()
        .ToFrozenDictionary(rejection => rejection, rejection => JsonNamingPolicy.SnakeCaseLower.ConvertName(rejection.ToString()));

    /// <summary>A stable machine-readable code, returned as the problem's <c>reason</c> extension: the name in snake case.</summary>
    public static string Code(EhrTokenRejection rejection) => Codes.GetValueOrDefault(rejection, "invalid_token");

    /// <summary>The problem's <c>detail</c>: names the category, never echoes token content or key material.</summary>
    public static string Describe(EhrTokenRejection rejection) => rejection switch
    {
        EhrTokenRejection.MissingToken => "The request carries no bearer token; CDS Hooks calls must present the EHR's signed JWT.",
        EhrTokenRejection.MalformedToken => "The bearer token is not a well-formed signed JWT.",
        EhrTokenRejection.UnsupportedAlgorithm => "The token's signing algorithm is not accepted; use an asymmetric algorithm such as ES384 or RS384.",
        EhrTokenRejection.UnsupportedCriticalHeader => "The token's header lists critical extensions (crit) this service does not implement (RFC 7515 section 4.1.11).",
        EhrTokenRejection.UnknownIssuer => "The token's issuer is not a registered CDS client.",
        EhrTokenRejection.JkuNotAllowed => "The token's jku is not on the issuer's allow-list.",
        EhrTokenRejection.UnknownSigningKey => "The token's kid does not identify a signing key of its issuer.",
        EhrTokenRejection.SigningKeysUnavailable => "The issuer's signing keys could not be retrieved.",
        EhrTokenRejection.InvalidSignature => "The token's signature is not valid.",
        EhrTokenRejection.Expired => "The token has expired.",
        EhrTokenRejection.NotYetValid => "The token is not valid yet.",
        EhrTokenRejection.LifetimeNotAcceptable => "The token must carry exp and iat, and its lifetime must not exceed the maximum accepted.",
        EhrTokenRejection.MissingJti => "The token has no jti.",
        EhrTokenRejection.WrongAudience => "The token's audience does not match this service.",
        EhrTokenRejection.TenantMismatch => "The token's tenant does not match the client registration.",
        EhrTokenRejection.Replayed => "The token has already been used.",
        EhrTokenRejection.ReplayCheckUnavailable => "The token could not be checked for replay; retry with a new token.",
        _ => "The token is not valid.",
    };
}

/// <summary>Carries the rejection reason and the (unverified) issuer and jti from validation to logging and the challenge.</summary>
internal sealed class EhrTokenRejectedException : SecurityTokenValidationException
{
    public EhrTokenRejectedException(EhrTokenRejection rejection, string? issuer, string? jti, Exception? innerException = null)
        : base(EhrTokenRejections.Describe(rejection), innerException)
    {
        Rejection = rejection;
        Issuer = issuer;
        Jti = jti;
    }

    public EhrTokenRejection Rejection { get; }

    public string? Issuer { get; }

    public string? Jti { get; }
}
