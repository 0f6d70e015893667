namespace VaCdsHooks.Trust;

/// <summary>
/// The <c>CdsHooks</c> configuration section: where this service is reachable and which EHRs may call it.
/// Bound with standard configuration binding, so <c>CdsHooks__Clients__0__Issuer</c> style environment variables work.
/// </summary>
public sealed class EhrTrustOptions
{
    /// <summary>The externally visible base URL; a token's <c>aud</c> is <c>{PublicBaseUrl}/cds-services/{id}</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The registered EHR clients.</summary>
    public List<EhrClientOptions> Clients { get; set; } = [];

    /// <summary>Longest accepted <c>exp - iat</c>. CDS Hooks best practice is five minutes.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tolerance for clock differences between the EHR and this service.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An unknown <c>kid</c> refetches a JWK Set at most once per this interval per URL.</summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys older than this are refreshed in the background so a key the EHR withdrew stops working.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Upper bound on one JWK Set fetch; a slow EHR key endpoint must not hang hook calls.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most <c>jti</c> values the in-memory replay cache holds at once.</summary>
    public int ReplayCacheCapacity { get; set; } = 1_000_000;
}

/// <summary>One registered EHR: <c>CdsHooks:Clients:{n}</c>.</summary>
public sealed class EhrClientOptions
{
    /// <summary>The token's <c>iss</c>, compared exactly.</summary>
    public string? Issuer { get; set; }

    /// <summary>The EHR's client id for later SMART interactions (DTR); defaults to <see cref="Issuer"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>URL of the EHR's JWK Set. Exactly one of this and <see cref="Jwks"/> is required.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The EHR's JWK Set as a JSON string, for EHRs that exchange keys out of band.</summary>
    public string? Jwks { get; set; }

    /// <summary><c>jku</c> header values this issuer may use; any other <c>jku</c> is refused.</summary>
    public List<string> AllowedJku { get; set; } = [];

    /// <summary>FHIR base URLs this EHR's <c>fhirServer</c> may name.</summary>
    public List<string> FhirServers { get; set; } = [];

    /// <summary>When set, a token carrying a <c>tenant</c> claim must carry this value.</summary>
    public string? Tenant { get; set; }
}
