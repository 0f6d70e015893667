namespace VaCdsHooks.Trust;

/// <summary>Names the host uses to wire EHR trust into its endpoints.</summary>
public static class EhrJwtDefaults
{
    /// <summary>The authentication scheme that validates the EHR's CDS Hooks JWT.</summary>
    public const string AuthenticationScheme = "EhrJwt";

    /// <summary>The authorization policy every hook and feedback endpoint requires.</summary>
    public const string Policy = "EhrClient";

    /// <summary>The configuration section bound by <c>AddEhrTrust</c>.</summary>
    public const string ConfigurationSection = "CdsHooks";

    /// <summary>The named <see cref="System.Net.Http.HttpClient"/> that fetches EHR JWK Sets.</summary>
    public const string JwksHttpClientName = "VaCdsHooks.Trust.Jwks";

    /// <summary>
    /// Signing algorithms accepted on EHR JWTs. CDS Hooks 2.0 ("JWT Signing Algorithm") recommends ES384 and
    /// RS384 and forbids <c>none</c> and every symmetric algorithm; the remaining asymmetric JWS algorithms of
    /// RFC 7518 that .NET verifies natively are accepted too so an EHR's choice of hash size or RSA padding is not
    /// a reason to turn it away.
    /// </summary>
    public static IReadOnlyList<string> AcceptedAlgorithms { get; } =
        ["ES384", "RS384", "ES256", "ES512", "RS256", "RS512", "PS256", "PS384", "PS512"];
}
