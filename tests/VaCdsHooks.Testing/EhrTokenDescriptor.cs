namespace VaCdsHooks.Testing;

/// <summary>
/// Everything that goes into one EHR JWT. Created by <see cref="EhrTokenFactory"/> with valid CDS Hooks defaults;
/// set any property to change it, or to null to leave that header or claim out.
/// </summary>
public sealed class EhrTokenDescriptor
{
    private readonly EhrTokenFactory _factory;
    private string? _algorithm;
    private string? _keyId;
    private bool _keyIdSet;

    internal EhrTokenDescriptor(EhrTokenFactory factory, string? audience)
    {
        _factory = factory;
        var now = factory.Time.GetUtcNow();
        Issuer = factory.Issuer;
        Audience = audience;
        IssuedAt = now;
        ExpiresAt = now + EhrTokenFactory.DefaultLifetime;
        JwtId = Guid.NewGuid().ToString();
    }

    /// <summary>
    /// The <c>alg</c> header. An asymmetric algorithm signs with <see cref="SigningKey"/> (by default the factory's
    /// published key for that algorithm); <c>none</c> yields an unsigned token; <c>HS256/384/512</c> sign with
    /// <see cref="HmacSecret"/>. Defaults to the algorithm of <see cref="SigningKey"/> when one is set, else ES384.
    /// </summary>
    public string Algorithm
    {
        get => _algorithm ?? SigningKey?.Algorithm ?? "ES384";
        set => _algorithm = value;
    }

    /// <summary>The key that signs; set it to a key that is not published to forge a bad signature.</summary>
    public EhrTestKey? SigningKey { get; set; }

    /// <summary>The <c>kid</c> header; defaults to the signing key's id.</summary>
    public string? KeyId
    {
        get => _keyIdSet ? _keyId : EffectiveSigningKey()?.KeyId ?? _factory.Es384Key.KeyId;
        set
        {
            _keyId = value;
            _keyIdSet = true;
        }
    }

    /// <summary>The <c>typ</c> header.</summary>
    public string? Type { get; set; } = "JWT";

    /// <summary>The <c>jku</c> header; absent by default.</summary>
    public string? Jku { get; set; }

    /// <summary>The <c>iss</c> claim.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>sub</c> claim; absent by default (it is optional in CDS Hooks 2.0).</summary>
    public string? Subject { get; set; }

    /// <summary>The <c>aud</c> claim as a single string; see <see cref="Audiences"/> for an array.</summary>
    public string? Audience
    {
        get => Audiences is { Count: > 0 } list ? list[0] : null;
        set => Audiences = value is null ? null : [value];
    }

    /// <summary>The <c>aud</c> claim; one value is written as a string, several as an array.</summary>
    public IReadOnlyList<string>? Audiences { get; set; }

    /// <summary>The <c>iat</c> claim.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>The <c>exp</c> claim.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The <c>nbf</c> claim; absent by default.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>The <c>jti</c> claim; a new GUID by default.</summary>
    public string? JwtId { get; set; }

    /// <summary>The <c>tenant</c> claim; absent by default.</summary>
    public string? Tenant { get; set; }

    /// <summary>Secret for <c>HS*</c> tokens; defaults to the signing key's public key bytes (the classic confusion attack).</summary>
    public byte[]? HmacSecret { get; set; }

    /// <summary>Further header parameters, written as JSON values.</summary>
    public IDictionary<string, object?> ExtraHeaders { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Further payload claims, written as JSON values.</summary>
    public IDictionary<string, object?> ExtraClaims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Sets <see cref="ExpiresAt"/> to <see cref="IssuedAt"/> plus <paramref name="lifetime"/>.</summary>
    public EhrTokenDescriptor WithLifetime(TimeSpan lifetime)
    {
        ExpiresAt = (IssuedAt ?? _factory.Time.GetUtcNow()) + lifetime;
        return this;
    }

    /// <summary>Signs with a key the EHR never published, keeping that key's <c>kid</c> unless one was set.</summary>
    public EhrTokenDescriptor SignedWithUnpublishedKey()
    {
        SigningKey = EhrTestKey.Create(Algorithm);
        return this;
    }

    internal EhrTestKey? EffectiveSigningKey()
    {
        if (SigningKey is not null)
        {
            return SigningKey;
        }

        return EhrTokenFactory.IsAsymmetric(Algorithm) ? _factory.KeyFor(Algorithm) : null;
    }
}
