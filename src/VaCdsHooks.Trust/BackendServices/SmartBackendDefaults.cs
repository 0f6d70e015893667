namespace VaCdsHooks.Trust;

/// <summary>
/// Names the host uses to wire SMART Backend Services (client_credentials with a private_key_jwt assertion) in front
/// of the DTR FHIR endpoints, as Da Vinci DTR requires of payers.
/// </summary>
public static class SmartBackendDefaults
{
    /// <summary>The authentication scheme that validates access tokens issued by <see cref="TokenPath"/>.</summary>
    public const string AuthenticationScheme = "DtrBearer";

    /// <summary>The configuration section bound by <c>AddSmartBackendServices</c>.</summary>
    public const string ConfigurationSection = "BackendServices";

    /// <summary>The token endpoint; publicly <c>{CdsHooks:PublicBaseUrl}/auth/token</c>, which is also the assertion's <c>aud</c>.</summary>
    public const string TokenPath = "/auth/token";

    /// <summary>The DTR FHIR base path; access tokens carry <c>aud</c> = <c>{CdsHooks:PublicBaseUrl}/fhir</c>.</summary>
    public const string FhirBasePath = "/fhir";

    /// <summary>SMART discovery, served at the root and under <see cref="FhirBasePath"/> (SMART: appended to the FHIR base URL).</summary>
    public const string SmartConfigurationPath = "/.well-known/smart-configuration";

    /// <summary>The only grant type accepted.</summary>
    public const string GrantType = "client_credentials";

    /// <summary>The only client assertion type accepted (RFC 7523).</summary>
    public const string ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The JWS <c>typ</c> of issued access tokens (RFC 9068), so no other JWT can pass as one.</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>Largest token request body accepted; a real one is well under 4 KiB.</summary>
    public const int MaxTokenRequestBytes = 16 * 1024;

    /// <summary>
    /// Longest an assertion may still be valid for: SMART client-confidential-asymmetric says <c>exp</c> SHALL be no
    /// more than five minutes in the future.
    /// </summary>
    public static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Signing algorithms accepted on client assertions, as advertised in
    /// <c>token_endpoint_auth_signing_alg_values_supported</c>: the two SMART requires every client to support.
    /// </summary>
    public static IReadOnlyList<string> AssertionAlgorithms { get; } = ["RS384", "ES384"];
}
