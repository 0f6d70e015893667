using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VaCdsHooks.Trust;

/// <summary>An access token as handed to the client.</summary>
internal readonly record struct IssuedAccessToken(string Token, int ExpiresIn, string Jti);

/// <summary>
/// Mints DTR access tokens: JWTs (RFC 9068 shape, <c>typ</c> at+jwt) signed with this service's key, with
/// <c>iss</c> = PublicBaseUrl, <c>aud</c> = the DTR FHIR base URL, <c>sub</c> = <c>client_id</c> = the client,
/// the granted <c>scope</c>, a fresh <c>jti</c> and the client's <c>tenant</c> when it has one.
/// </summary>
internal sealed class AccessTokenIssuer
{
    private readonly AccessTokenSigningKey _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public AccessTokenIssuer(AccessTokenSigningKey key, IOptions<EhrTrustOptions> trustOptions, IOptions<SmartBackendOptions> options, TimeProvider time)
    {
        _key = key;
        _time = time;
        _lifetime = options.Value.AccessTokenLifetime;
        Issuer = EhrJwtEvents.NormalizeBaseUrl(trustOptions.Value.PublicBaseUrl!);
        Audience = Issuer + SmartBackendDefaults.FhirBasePath;
    }

    /// <summary>The <c>iss</c> of every access token: the normalized PublicBaseUrl.</summary>
    public string Issuer { get; }

    /// <summary>The <c>aud</c> of every access token: the DTR FHIR base URL.</summary>
    public string Audience { get; }

    public IssuedAccessToken Issue(EhrClientRegistration client, string grantedScope)
    {
        // Whole seconds, so expires_in and exp - iat agree exactly.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var lifetime = (int)_lifetime.TotalSeconds;
        var jti = Guid.NewGuid().ToString("N");
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = client.ClientId,
            ["client_id"] = client.ClientId,
            ["scope"] = grantedScope,
            [JwtRegisteredClaimNames.Jti] = jti,
        };
        if (client.Tenant is { } tenant)
        {
            claims["tenant"] = tenant;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddSeconds(lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = _key.Credentials,
            TokenType = SmartBackendDefaults.AccessTokenType,
        });
        return new IssuedAccessToken(token, lifetime, jti);
    }
}
