using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>The registered EHR clients, looked up by token issuer.</summary>
public interface IEhrClientRegistry
{
    /// <summary>All registered clients, in configuration order.</summary>
    IReadOnlyList<EhrClientRegistration> Clients { get; }

    /// <summary>The client whose issuer is exactly <paramref name="issuer"/>, or null.</summary>
    EhrClientRegistration? FindByIssuer(string issuer);
}

/// <summary>A registration together with the key sets its tokens may be verified against.</summary>
internal sealed class TrustedEhrClient(EhrClientRegistration registration, EhrKeySet keys, FrozenDictionary<string, EhrKeySet> allowedJku)
{
    public EhrClientRegistration Registration { get; } = registration;

    /// <summary>The configured keys, used when the token has no <c>jku</c>.</summary>
    public EhrKeySet Keys { get; } = keys;

    /// <summary>
    /// The key that signed <paramref name="jwt"/> (SMART key resolution steps 1 to 3, CDS Hooks alike): from the
    /// allow-listed <c>jku</c> the token names (matched exactly), else from the configured keys; the <c>kid</c> must
    /// name a key that suits the token's <c>alg</c>.
    /// </summary>
    public ValueTask<KeyLookup> FindKeyAsync(JsonWebToken jwt)
    {
        var keys = !jwt.TryGetHeaderValue<object>(JwtHeaderParameterNames.Jku, out var jku) ? Keys
            : jku is string url ? allowedJku.GetValueOrDefault(url)
            : null;
        return keys is null ? ValueTask.FromResult(KeyLookup.JkuNotAllowed) : keys.FindAsync(jwt.Kid, jwt.Alg);
    }
}

/// <summary>Built once from validated options; remote key sets are shared by URL so each URL has one cache.</summary>
internal sealed class EhrClientRegistry : IEhrClientRegistry
{
    private readonly FrozenDictionary<string, TrustedEhrClient> _byIssuer;
    private readonly FrozenDictionary<string, TrustedEhrClient> _byClientId;

    public EhrClientRegistry(IOptions<EhrTrustOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var settings = options.Value;
        var logger = loggerFactory.CreateLogger("VaCdsHooks.Trust.Jwks");
        var remoteByUrl = new Dictionary<string, RemoteKeySet>(StringComparer.Ordinal);

        RemoteKeySet Remote(string url)
        {
            var absolute = new Uri(url, UriKind.Absolute);
            var key = absolute.AbsoluteUri;
            if (!remoteByUrl.TryGetValue(key, out var set))
            {
                set = new RemoteKeySet(absolute, httpClientFactory, time, logger, settings);
                remoteByUrl[key] = set;
            }

            return set;
        }

        var clients = new List<TrustedEhrClient>();
        foreach (var client in settings.Clients)
        {
            var registration = new EhrClientRegistration(
                client.Issuer!,
                client.ClientId,
                client.Tenant,
                client.FhirServers.Select(s => new Uri(s, UriKind.Absolute)));

            EhrKeySet keys = client.JwksUrl is { Length: > 0 } jwksUrl
                ? Remote(jwksUrl)
                : new InlineKeySet(client.Jwks!);

            var jku = new Dictionary<string, EhrKeySet>(StringComparer.Ordinal);
            foreach (var allowed in client.AllowedJku)
            {
                jku[allowed] = Remote(allowed);
            }

            // The client's own JWK Set URL is trusted already, so naming it in jku is allowed too.
            if (client.JwksUrl is { Length: > 0 } own)
            {
                jku.TryAdd(own, keys);
            }

            clients.Add(new TrustedEhrClient(registration, keys, jku.ToFrozenDictionary(StringComparer.Ordinal)));
        }

        _byIssuer = clients.ToFrozenDictionary(c => c.Registration.Issuer, StringComparer.Ordinal);
        // Client ids are unique (checked at start-up), so DTR token requests find the same keys as hook calls.
        _byClientId = clients.ToFrozenDictionary(c => c.Registration.ClientId, StringComparer.Ordinal);
        Clients = clients.Select(c => c.Registration).ToArray();
    }

    public IReadOnlyList<EhrClientRegistration> Clients { get; }

    public EhrClientRegistration? FindByIssuer(string issuer) => FindTrusted(issuer)?.Registration;

    internal TrustedEhrClient? FindTrusted(string? issuer) =>
        issuer is null ? null : _byIssuer.GetValueOrDefault(issuer);

    /// <summary>The client whose SMART client id is exactly <paramref name="clientId"/>, or null.</summary>
    internal TrustedEhrClient? FindTrustedByClientId(string? clientId) =>
        clientId is null ? null : _byClientId.GetValueOrDefault(clientId);
}
