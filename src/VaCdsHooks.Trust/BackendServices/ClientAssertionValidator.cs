using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>The outcome of authenticating a client assertion.</summary>
internal readonly record struct ClientAuthentication(
    TrustedEhrClient? Client,
    TokenRequestRefusal? Refusal,
    string? ClaimedClientId,
    string? AssertionJti)
{
    public static ClientAuthentication Refused(TokenRequestRefusal refusal, string? clientId = null, string? jti = null) =>
        new(null, refusal, clientId, jti);
}

/// <summary>
/// Authenticates a DTR client by its private_key_jwt assertion, following SMART client-confidential-asymmetric
/// ("Signature Verification") and RFC 7523 section 3: RS384 or ES384, <c>typ</c> JWT, <c>iss</c> = <c>sub</c> = a
/// registered client id, <c>aud</c> = the token endpoint URL, <c>exp</c> no more than five minutes ahead, a
/// <c>jti</c> never seen before for that client, and a signature by a key from the client's registered JWK Set (or an
/// allow-listed <c>jku</c>). Keys come from the same cached sets that verify the client's CDS Hooks calls.
/// </summary>
internal sealed class ClientAssertionValidator
{
    private readonly EhrClientRegistry _registry;
    private readonly IJtiReplayCache _replayCache;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientAssertionValidator> _logger;
    private readonly TimeSpan _clockSkew;
    private readonly string _publicBaseUrl;
    private readonly JsonWebTokenHandler _handler = new()
    {
        MapInboundClaims = false,
        MaximumTokenSizeInBytes = SmartBackendDefaults.MaxTokenRequestBytes,
    };

    public ClientAssertionValidator(
        EhrClientRegistry registry,
        IJtiReplayCache replayCache,
        IOptions<EhrTrustOptions> trustOptions,
        TimeProvider time,
        ILogger<ClientAssertionValidator> logger)
    {
        _registry = registry;
        _replayCache = replayCache;
        _time = time;
        _logger = logger;
        _clockSkew = trustOptions.Value.ClockSkew;
        _publicBaseUrl = EhrJwtEvents.NormalizeBaseUrl(trustOptions.Value.PublicBaseUrl!);
        TokenEndpoint = _publicBaseUrl + SmartBackendDefaults.TokenPath;
    }

    /// <summary>The public token endpoint URL: what an assertion's <c>aud</c> must be.</summary>
    public string TokenEndpoint { get; }

    public async Task<ClientAuthentication> AuthenticateAsync(string assertion, string? clientIdParameter, CancellationToken cancellationToken)
    {
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(assertion);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            return ClientAuthentication.Refused(TokenRequestRefusal.MalformedAssertion);
        }

        var clientId = jwt.Issuer;
        var jti = jwt.Id;
        ClientAuthentication Refuse(TokenRequestRefusal refusal) => ClientAuthentication.Refused(refusal, clientId, jti);

        if (jwt.IsEncrypted)
        {
            return Refuse(TokenRequestRefusal.MalformedAssertion);
        }

        // Before any key lookup, so "none" and HMAC assertions never get near a key.
        if (!SmartBackendDefaults.AssertionAlgorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Refuse(TokenRequestRefusal.UnsupportedAlgorithm);
        }

        if (JoseHeaders.NamesCriticalExtensions(jwt))
        {
            return Refuse(TokenRequestRefusal.UnsupportedCriticalHeader);
        }

        // SMART: typ is required, fixed value JWT (media types compare case-insensitively, RFC 7515 section 4.1.9).
        if (!string.Equals(jwt.Typ, "JWT", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(TokenRequestRefusal.WrongAssertionType);
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return Refuse(TokenRequestRefusal.MissingKeyId);
        }

        if (_registry.FindTrustedByClientId(clientId) is not { } client)
        {
            return Refuse(TokenRequestRefusal.UnknownClient);
        }

        if (!string.Equals(jwt.Subject, clientId, StringComparison.Ordinal))
        {
            return Refuse(TokenRequestRefusal.IssuerSubjectMismatch);
        }

        // RFC 6749 allows client_id alongside an assertion; SMART: it must match the assertion's iss.
        if (clientIdParameter is not null && !string.Equals(clientIdParameter, clientId, StringComparison.Ordinal))
        {
            return Refuse(TokenRequestRefusal.ClientIdMismatch);
        }

        if (!AudienceIsTokenEndpoint(jwt.Audiences))
        {
            return Refuse(TokenRequestRefusal.WrongAudience);
        }

        if (CheckTimes(jwt, out var expires) is { } timeRefusal)
        {
            return Refuse(timeRefusal);
        }

        if (string.IsNullOrEmpty(jti))
        {
            return Refuse(TokenRequestRefusal.MissingJti);
        }

        var lookup = await client.FindKeyAsync(jwt).ConfigureAwait(false);
        switch (lookup.Status)
        {
            case KeyLookupStatus.JkuNotAllowed:
                return Refuse(TokenRequestRefusal.JkuNotAllowed);
            case KeyLookupStatus.KeysUnavailable:
                return Refuse(TokenRequestRefusal.SigningKeysUnavailable);
            case KeyLookupStatus.UnknownKeyId:
                // SMART key resolution step 3: the kid must match, and the key type must suit the alg.
                return Refuse(TokenRequestRefusal.UnknownSigningKey);
        }

        var signature = await _handler.ValidateTokenAsync(jwt, lookup.Key!.SignatureValidation).ConfigureAwait(false);
        if (!signature.IsValid)
        {
            return Refuse(TokenRequestRefusal.InvalidSignature);
        }

        // Recorded only once everything else holds, so a refused assertion does not use up its jti. Namespaced
        // apart from CDS Hooks JWTs, which the same EHR signs with the same issuer and keys.
        bool firstUse;
        try
        {
            firstUse = await _replayCache.TryRecordAsync(ReplayNamespace(client), jti, expires + _clockSkew, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SmartBackendLog.ReplayCheckFailed(_logger, ex, client.Registration.ClientId);
            return Refuse(TokenRequestRefusal.ReplayCheckUnavailable);
        }

        return firstUse
            ? new ClientAuthentication(client, null, clientId, jti)
            : Refuse(TokenRequestRefusal.Replayed);
    }

    internal static string ReplayNamespace(TrustedEhrClient client) => "smart-client-assertion " + client.Registration.ClientId;

    /// <summary>
    /// SMART: <c>aud</c> is the token URL. Scheme and host compare case-insensitively, the path exactly, a trailing
    /// slash aside; one matching value in an <c>aud</c> array suffices (RFC 7523 section 3).
    /// </summary>
    private bool AudienceIsTokenEndpoint(IEnumerable<string> audiences)
    {
        foreach (var audience in audiences)
        {
            var value = audience.AsSpan();
            if (value.Length > 0 && value[^1] == '/')
            {
                value = value[..^1];
            }

            if (value.StartsWith(_publicBaseUrl, StringComparison.OrdinalIgnoreCase)
                && value[_publicBaseUrl.Length..].SequenceEqual(SmartBackendDefaults.TokenPath))
            {
                return true;
            }
        }

        return false;
    }

    private TokenRequestRefusal? CheckTimes(JsonWebToken jwt, out DateTimeOffset expires)
    {
        if (!EhrJwtTokenHandler.TryGetNumericDate(jwt, JwtRegisteredClaimNames.Exp, out expires))
        {
            return TokenRequestRefusal.MissingExpiry;
        }

        var now = _time.GetUtcNow();
        if (now >= expires + _clockSkew)
        {
            return TokenRequestRefusal.Expired;
        }

        if (expires > now + SmartBackendDefaults.MaxAssertionLifetime + _clockSkew)
        {
            return TokenRequestRefusal.ExpiresTooLate;
        }

        // iat and nbf are optional in SMART; when present, a future value means a clock or a forgery problem.
        if ((EhrJwtTokenHandler.TryGetNumericDate(jwt, JwtRegisteredClaimNames.Iat, out var issuedAt) && issuedAt > now + _clockSkew)
            || (EhrJwtTokenHandler.TryGetNumericDate(jwt, JwtRegisteredClaimNames.Nbf, out var notBefore) && notBefore > now + _clockSkew))
        {
            return TokenRequestRefusal.NotYetValid;
        }

        return null;
    }
}
