using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static VaCdsHooks.Testing.Base64Url;

namespace VaCdsHooks.Testing;

/// <summary>
/// Plays a registered EHR in tests: holds its signing keys, publishes their JWK Set and mints CDS Hooks 2.0 JWTs.
/// <code>
/// using var ehr = new EhrTokenFactory();                       // ES384 and RS384 keys, issuer https://ehr.example.com
/// var token = ehr.CreateToken("https://cds.example.org/cds-services/crd-order-sign");
/// var expired = ehr.CreateToken(aud, t => t.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1));
/// var unsigned = ehr.CreateToken(aud, t => t.Algorithm = "none");
/// var assertion = ehr.CreateClientAssertion("https://cds.example.org/auth/token");   // DTR token request
/// </code>
/// </summary>
public sealed class EhrTokenFactory : IDisposable
{
    /// <summary>The issuer used when none is given.</summary>
    public const string DefaultIssuer = "https://ehr.example.com";

    /// <summary>Two minutes: comfortably inside the five-minute maximum CDS Hooks services apply.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private readonly List<EhrTestKey> _published = [];
    private readonly List<EhrTestKey> _owned = [];

    /// <summary>Creates an EHR with published ES384 and RS384 keys.</summary>
    public EhrTokenFactory(string issuer = DefaultIssuer, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        Issuer = issuer;
        Time = time ?? TimeProvider.System;
        Es384Key = AddKey("ES384");
        Rs384Key = AddKey("RS384");
    }

    /// <summary>The <c>iss</c> of this EHR's tokens.</summary>
    public string Issuer { get; }

    /// <summary>The clock for <c>iat</c> and <c>exp</c>.</summary>
    public TimeProvider Time { get; }

    /// <summary>The published ES384 key.</summary>
    public EhrTestKey Es384Key { get; }

    /// <summary>The published RS384 key.</summary>
    public EhrTestKey Rs384Key { get; }

    /// <summary>The keys currently in the JWK Set.</summary>
    public IReadOnlyList<EhrTestKey> PublishedKeys
    {
        get
        {
            lock (_gate)
            {
                return [.. _published];
            }
        }
    }

    /// <summary>The public JWK Set of <see cref="PublishedKeys"/>, as served from the EHR's JWKS URL.</summary>
    public string JwksJson => CreateJwks(PublishedKeys);

    /// <summary>Generates a key and publishes it (key rotation).</summary>
    public EhrTestKey AddKey(string algorithm, string? keyId = null)
    {
        var key = EhrTestKey.Create(algorithm, keyId);
        lock (_gate)
        {
            _published.Add(key);
            _owned.Add(key);
        }

        return key;
    }

    /// <summary>Withdraws a key from the JWK Set; tokens may still be signed with it.</summary>
    public bool Unpublish(EhrTestKey key)
    {
        lock (_gate)
        {
            return _published.Remove(key);
        }
    }

    /// <summary>The first published key for <paramref name="algorithm"/>, generating and publishing one if needed.</summary>
    public EhrTestKey KeyFor(string algorithm)
    {
        lock (_gate)
        {
            var existing = _published.FirstOrDefault(k => k.Algorithm == algorithm);
            if (existing is not null)
            {
                return existing;
            }
        }

        return AddKey(algorithm);
    }

    /// <summary>A JWK Set document holding the public halves of <paramref name="keys"/>.</summary>
    public static string CreateJwks(IEnumerable<EhrTestKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                key.WritePublicJwk(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A descriptor with valid defaults for <paramref name="audience"/>, to adjust and pass to <see cref="CreateToken(EhrTokenDescriptor)"/>.</summary>
    public EhrTokenDescriptor Describe(string? audience) => new(this, audience);

    /// <summary>Mints a token for <paramref name="audience"/> (the service URL being called), adjusted by <paramref name="customize"/>.</summary>
    public string CreateToken(string? audience, Action<EhrTokenDescriptor>? customize = null)
    {
        var descriptor = Describe(audience);
        customize?.Invoke(descriptor);
        return CreateToken(descriptor);
    }

    /// <summary>
    /// Mints a SMART Backend Services client assertion (private_key_jwt) for the DTR token endpoint: <c>iss</c> and
    /// <c>sub</c> are <paramref name="clientId"/> (the issuer unless the client was registered with a ClientId),
    /// <c>aud</c> is <paramref name="tokenEndpoint"/>, with a fresh <c>jti</c> and a two-minute <c>exp</c>.
    /// </summary>
    public string CreateClientAssertion(string tokenEndpoint, string? clientId = null, Action<EhrTokenDescriptor>? customize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenEndpoint);
        var descriptor = Describe(tokenEndpoint);
        descriptor.Issuer = clientId ?? Issuer;
        descriptor.Subject = clientId ?? Issuer;
        customize?.Invoke(descriptor);
        return CreateToken(descriptor);
    }

    /// <summary>Serializes and signs <paramref name="descriptor"/> as a compact JWS.</summary>
    public string CreateToken(EhrTokenDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var signingKey = descriptor.EffectiveSigningKey();
        var header = Encode(WriteJson(writer =>
        {
            writer.WriteString("alg", descriptor.Algorithm);
            WriteIfPresent(writer, "typ", descriptor.Type);
            WriteIfPresent(writer, "kid", descriptor.KeyId);
            WriteIfPresent(writer, "jku", descriptor.Jku);
            WriteExtras(writer, descriptor.ExtraHeaders);
        }));
        var payload = Encode(WriteJson(writer =>
        {
            WriteIfPresent(writer, "iss", descriptor.Issuer);
            WriteIfPresent(writer, "sub", descriptor.Subject);
            if (descriptor.Audiences is { Count: 1 } single)
            {
                writer.WriteString("aud", single[0]);
            }
            else if (descriptor.Audiences is { Count: > 1 } many)
            {
                writer.WriteStartArray("aud");
                foreach (var audience in many)
                {
                    writer.WriteStringValue(audience);
                }

                writer.WriteEndArray();
            }

            WriteIfPresent(writer, "exp", descriptor.ExpiresAt);
            WriteIfPresent(writer, "iat", descriptor.IssuedAt);
            WriteIfPresent(writer, "nbf", descriptor.NotBefore);
            WriteIfPresent(writer, "jti", descriptor.JwtId);
            WriteIfPresent(writer, "tenant", descriptor.Tenant);
            WriteExtras(writer, descriptor.ExtraClaims);
        }));

        var signingInput = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var signature = descriptor.Algorithm switch
        {
            "none" => [],
            "HS256" => HMACSHA256.HashData(HmacSecretOf(descriptor, signingKey), signingInput),
            "HS384" => HMACSHA384.HashData(HmacSecretOf(descriptor, signingKey), signingInput),
            "HS512" => HMACSHA512.HashData(HmacSecretOf(descriptor, signingKey), signingInput),
            _ => (signingKey ?? throw new InvalidOperationException($"No key signs {descriptor.Algorithm}.")).Sign(descriptor.Algorithm, signingInput),
        };
        return $"{header}.{payload}.{Encode(signature)}";
    }

    /// <summary>
    /// Configuration entries registering this EHR as client <paramref name="index"/> of a service under test
    /// (<c>CdsHooks:Clients:{index}:*</c>). Without <paramref name="jwksUrl"/> the JWK Set is given inline, as it is
    /// now; with it, serve the set from that URL (for example with <see cref="StubJwksHandler"/>).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ClientSettings(
        int index = 0,
        string? jwksUrl = null,
        string? tenant = null,
        params string[] fhirServers)
    {
        var prefix = $"CdsHooks:Clients:{index}:";
        yield return new($"{prefix}Issuer", Issuer);
        yield return jwksUrl is null ? new($"{prefix}Jwks", JwksJson) : new($"{prefix}JwksUrl", jwksUrl);
        if (tenant is not null)
        {
            yield return new($"{prefix}Tenant", tenant);
        }

        for (var i = 0; i < fhirServers.Length; i++)
        {
            yield return new($"{prefix}FhirServers:{i}", fhirServers[i]);
        }
    }

    /// <summary>An <c>Authorization: Bearer</c> header value for <paramref name="token"/>.</summary>
    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in _owned)
            {
                key.Dispose();
            }

            _owned.Clear();
            _published.Clear();
        }
    }

    internal static bool IsAsymmetric(string algorithm) =>
        algorithm is "ES256" or "ES384" or "ES512" or "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512";

    private byte[] HmacSecretOf(EhrTokenDescriptor descriptor, EhrTestKey? signingKey) =>
        descriptor.HmacSecret ?? (signingKey ?? Es384Key).PublicKeyBytes;

    private static byte[] WriteJson(Action<Utf8JsonWriter> writeMembers)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteNumber(name, time.ToUnixTimeSeconds());
        }
    }

    private static void WriteExtras(Utf8JsonWriter writer, IDictionary<string, object?> extras)
    {
        foreach (var (name, value) in extras)
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, value);
        }
    }
}
