using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>
/// Validates an EHR's CDS Hooks JWT (CDS Hooks 2.0, "Trusting CDS Clients"). Each rule is checked once, cheapest
/// first: headers, issuer, <c>jti</c> and times here, then the issuer's key is found (fetching its JWK Set
/// asynchronously when needed), and only then does <see cref="JsonWebTokenHandler"/> verify the signature, with the
/// parameters built once for that key. Audience, tenant and replay depend on the request and are checked afterwards
/// in <see cref="EhrJwtEvents"/>, once the signature is known to be good.
/// </summary>
internal sealed class EhrJwtTokenHandler : JsonWebTokenHandler
{
    // Kestrel caps request headers at 32 KB; a CDS Hooks JWT is well under 2 KB.
    private const int MaxTokenLength = 16 * 1024;

    private readonly EhrClientRegistry _registry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxLifetime;
    private readonly TimeSpan _clockSkew;

    public EhrJwtTokenHandler(EhrClientRegistry registry, IOptions<EhrTrustOptions> options, TimeProvider time)
    {
        _registry = registry;
        _time = time;
        _maxLifetime = options.Value.MaxTokenLifetime;
        _clockSkew = options.Value.ClockSkew;
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaxTokenLength;
    }

    /// <summary>
    /// What the JWT bearer scheme hands to <see cref="ValidateTokenAsync(string, TokenValidationParameters)"/>; unused
    /// there, since every rule is applied by this handler and the signature is verified with the key's own parameters.
    /// </summary>
    public static TokenValidationParameters SchemeParameters { get; } = new()
    {
        NameClaimType = JwtRegisteredClaimNames.Sub,
        AuthenticationType = EhrJwtDefaults.AuthenticationScheme,
    };

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return Rejected(EhrTokenRejection.MalformedToken, null, null);
        }

        JsonWebToken jwt;
        try
        {
            jwt = ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            return Rejected(EhrTokenRejection.MalformedToken, null, null, ex);
        }

        if (Precheck(jwt, out var client) is { } refused)
        {
            return Rejected(refused, jwt.Issuer, jwt.Id);
        }

        var lookup = await client!.FindKeyAsync(jwt).ConfigureAwait(false);
        if (lookup.Status != KeyLookupStatus.Found)
        {
            return Rejected(
                lookup.Status switch
                {
                    KeyLookupStatus.JkuNotAllowed => EhrTokenRejection.JkuNotAllowed,
                    KeyLookupStatus.KeysUnavailable => EhrTokenRejection.SigningKeysUnavailable,
                    _ => EhrTokenRejection.UnknownSigningKey,
                },
                jwt.Issuer,
                jwt.Id);
        }

        var result = await base.ValidateTokenAsync(jwt, lookup.Key!.SignatureValidation).ConfigureAwait(false);
        return result.IsValid ? result : Rejected(EhrTokenRejection.InvalidSignature, jwt.Issuer, jwt.Id, result.Exception);
    }

    /// <summary>Whether <paramref name="jwt"/>'s times are acceptable now; null when they are.</summary>
    internal EhrTokenRejection? CheckTimes(JsonWebToken jwt)
    {
        if (!TryGetNumericDate(jwt, JwtRegisteredClaimNames.Exp, out var expires)
            || !TryGetNumericDate(jwt, JwtRegisteredClaimNames.Iat, out var issuedAt)
            || expires <= issuedAt
            || expires - issuedAt > _maxLifetime)
        {
            return EhrTokenRejection.LifetimeNotAcceptable;
        }

        var now = _time.GetUtcNow();
        if (now >= expires + _clockSkew)
        {
            return EhrTokenRejection.Expired;
        }

        // A future iat would let a token that passes the lifetime limit stay valid long after it was minted.
        if (issuedAt > now + _clockSkew
            || (TryGetNumericDate(jwt, JwtRegisteredClaimNames.Nbf, out var notBefore) && notBefore > now + _clockSkew))
        {
            return EhrTokenRejection.NotYetValid;
        }

        return null;
    }

    internal static bool TryGetNumericDate(JsonWebToken jwt, string claim, out DateTimeOffset value)
    {
        value = default;
        if (jwt.TryGetPayloadValue<long>(claim, out var seconds))
        {
            // Range-checked because FromUnixTimeSeconds throws beyond year 9999.
            if (seconds is < 0 or > 253_402_300_799)
            {
                return false;
            }

            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        if (jwt.TryGetPayloadValue<double>(claim, out var fractional) && double.IsFinite(fractional) && fractional is >= 0 and <= 253_402_300_799)
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)(fractional * 1000));
            return true;
        }

        return false;
    }

    /// <summary>Every rule that needs no key, in the order that keeps bad tokens away from key lookup; null when all hold.</summary>
    private EhrTokenRejection? Precheck(JsonWebToken jwt, out TrustedEhrClient? client)
    {
        client = null;
        if (jwt.IsEncrypted)
        {
            return EhrTokenRejection.MalformedToken;
        }

        // Checked before anything else so "none" and HMAC tokens never reach key lookup.
        if (string.IsNullOrEmpty(jwt.Alg) || !EhrJwtDefaults.AcceptedAlgorithms.Contains(jwt.Alg))
        {
            return EhrTokenRejection.UnsupportedAlgorithm;
        }

        if (jwt.Typ is { Length: > 0 } typ && !string.Equals(typ, "JWT", StringComparison.OrdinalIgnoreCase))
        {
            return EhrTokenRejection.MalformedToken;
        }

        if (JoseHeaders.NamesCriticalExtensions(jwt))
        {
            return EhrTokenRejection.UnsupportedCriticalHeader;
        }

        client = _registry.FindTrusted(jwt.Issuer);
        if (client is null)
        {
            return EhrTokenRejection.UnknownIssuer;
        }

        if (string.IsNullOrEmpty(jwt.Id))
        {
            return EhrTokenRejection.MissingJti;
        }

        if (CheckTimes(jwt) is { } timeRejection)
        {
            return timeRejection;
        }

        return string.IsNullOrEmpty(jwt.Kid) ? EhrTokenRejection.UnknownSigningKey : null;
    }

    private static TokenValidationResult Rejected(EhrTokenRejection rejection, string? issuer, string? jti, Exception? inner = null) => new()
    {
        IsValid = false,
        Exception = new EhrTokenRejectedException(rejection, issuer, jti, inner),
    };
}
