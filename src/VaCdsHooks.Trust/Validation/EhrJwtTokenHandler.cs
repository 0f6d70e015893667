using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>
/// Validates an EHR's CDS Hooks JWT (CDS Hooks 2.0, "Trusting CDS Clients"). Cheap header and claim checks run
/// first, then the issuer's key is found (fetching its JWK Set asynchronously when needed), and only then is the
/// signature verified by <see cref="JsonWebTokenHandler"/>. Audience, tenant and replay depend on the request and
/// are checked afterwards in <see cref="EhrJwtEvents"/>, once the signature is known to be good.
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
        ValidationParameters = CreateValidationParameters();
    }

    /// <summary>Built once and shared: nothing in it depends on the request.</summary>
    public TokenValidationParameters ValidationParameters { get; }

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

        var rejection = await PrecheckAsync(jwt).ConfigureAwait(false);
        if (rejection is { } refused)
        {
            return Rejected(refused, jwt.Issuer, jwt.Id);
        }

        var result = await base.ValidateTokenAsync(jwt, validationParameters).ConfigureAwait(false);
        return result.IsValid ? result : Rejected(Classify(result.Exception), jwt.Issuer, jwt.Id, result.Exception);
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

    private async ValueTask<EhrTokenRejection?> PrecheckAsync(JsonWebToken jwt)
    {
        if (jwt.IsEncrypted)
        {
            return EhrTokenRejection.MalformedToken;
        }

        // Checked before anything else so "none" and HMAC tokens never reach key lookup.
        if (!IsAcceptedAlgorithm(jwt.Alg))
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

        if (_registry.FindTrusted(jwt.Issuer) is not { } client)
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

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return EhrTokenRejection.UnknownSigningKey;
        }

        if (SelectKeySet(jwt, client) is not { } keySet)
        {
            return EhrTokenRejection.JkuNotAllowed;
        }

        KeyLookup lookup;
        try
        {
            lookup = await keySet.FindAsync(jwt.Kid, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return EhrTokenRejection.SigningKeysUnavailable;
        }

        return lookup.Status switch
        {
            KeyLookupStatus.Found when lookup.Key!.CanVerify(jwt.Alg) => null,
            KeyLookupStatus.KeysUnavailable => EhrTokenRejection.SigningKeysUnavailable,
            _ => EhrTokenRejection.UnknownSigningKey,
        };
    }

    /// <summary>The issuer's configured keys, or those of an allow-listed <c>jku</c>; null for any other <c>jku</c>.</summary>
    private static EhrKeySet? SelectKeySet(JsonWebToken jwt, TrustedEhrClient client)
    {
        if (!jwt.TryGetHeaderValue<object>(JwtHeaderParameterNames.Jku, out var jku))
        {
            return client.Keys;
        }

        return jku is string url ? client.KeysForJku(url) : null;
    }

    /// <summary>
    /// Signature-time key resolution. Synchronous by contract, so it only reads the cache that
    /// <see cref="PrecheckAsync"/> has just filled; it never does I/O.
    /// </summary>
    private IEnumerable<SecurityKey> ResolveSigningKey(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters)
    {
        if (securityToken is not JsonWebToken jwt
            || _registry.FindTrusted(jwt.Issuer) is not { } client
            || SelectKeySet(jwt, client) is not { } keySet
            || string.IsNullOrEmpty(kid)
            || keySet.FindCached(kid) is not { } key
            || !key.CanVerify(jwt.Alg))
        {
            return [];
        }

        return key.AsResolverResult;
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken securityToken, TokenValidationParameters parameters)
    {
        // Same rules and clock as the precheck, so the library's lifetime stage cannot disagree with it.
        if (securityToken is not JsonWebToken jwt)
        {
            return false;
        }

        if (CheckTimes(jwt) is { } rejection)
        {
            throw new EhrTokenRejectedException(rejection, jwt.Issuer, jwt.Id);
        }

        return true;
    }

    private TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidateIssuer = true,
        ValidIssuers = _registry.Issuers,
        // The audience is the URL of the endpoint being called, so it is checked with the request in hand.
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        LifetimeValidator = ValidateLifetime,
        ClockSkew = _clockSkew,
        RequireSignedTokens = true,
        ValidAlgorithms = EhrJwtDefaults.AcceptedAlgorithms,
        IssuerSigningKeyResolver = ResolveSigningKey,
        TryAllIssuerSigningKeys = false,
        // Keys are trusted because they come from the issuer's registered source, not from the token.
        ValidateIssuerSigningKey = false,
        // Replay is recorded only after audience and tenant pass; see EhrJwtEvents.
        ValidateTokenReplay = false,
        SaveSigninToken = false,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        AuthenticationType = EhrJwtDefaults.AuthenticationScheme,
    };

    private static bool IsAcceptedAlgorithm(string? algorithm)
    {
        if (string.IsNullOrEmpty(algorithm))
        {
            return false;
        }

        foreach (var accepted in EhrJwtDefaults.AcceptedAlgorithms)
        {
            if (string.Equals(accepted, algorithm, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static EhrTokenRejection Classify(Exception? exception) => exception switch
    {
        EhrTokenRejectedException rejected => rejected.Rejection,
        SecurityTokenExpiredException => EhrTokenRejection.Expired,
        SecurityTokenNotYetValidException => EhrTokenRejection.NotYetValid,
        SecurityTokenNoExpirationException or SecurityTokenInvalidLifetimeException => EhrTokenRejection.LifetimeNotAcceptable,
        SecurityTokenSignatureKeyNotFoundException => EhrTokenRejection.UnknownSigningKey,
        SecurityTokenInvalidSignatureException => EhrTokenRejection.InvalidSignature,
        SecurityTokenInvalidAlgorithmException => EhrTokenRejection.UnsupportedAlgorithm,
        SecurityTokenInvalidIssuerException => EhrTokenRejection.UnknownIssuer,
        SecurityTokenInvalidAudienceException => EhrTokenRejection.WrongAudience,
        SecurityTokenMalformedException or ArgumentException => EhrTokenRejection.MalformedToken,
        _ => EhrTokenRejection.InvalidToken,
    };

    private static TokenValidationResult Rejected(EhrTokenRejection rejection, string? issuer, string? jti, Exception? inner = null) => new()
    {
        IsValid = false,
        Exception = new EhrTokenRejectedException(rejection, issuer, jti, inner),
    };
}
