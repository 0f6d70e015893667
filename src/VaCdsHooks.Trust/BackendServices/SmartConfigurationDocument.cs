using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>
/// <c>GET .well-known/smart-configuration</c>: the SMART discovery document for a server that offers Backend Services
/// only. Fields follow SMART App Launch "Conformance" (metadata) and client-confidential-asymmetric ("Advertising
/// server support"). Built once: nothing in it changes while the process runs.
/// </summary>
internal sealed class SmartConfigurationDocument
{
    /// <summary>SMART capabilities advertised; the v1/v2 permissions reflect the scope syntaxes accepted.</summary>
    public static IReadOnlyList<string> Capabilities { get; } = ["client-confidential-asymmetric", "permission-v1", "permission-v2"];

    private readonly byte[] _json;

    public SmartConfigurationDocument(IOptions<EhrTrustOptions> trustOptions)
    {
        var baseUrl = EhrJwtEvents.NormalizeBaseUrl(trustOptions.Value.PublicBaseUrl!);
        TokenEndpoint = baseUrl + SmartBackendDefaults.TokenPath;

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("token_endpoint", TokenEndpoint);
            WriteArray(writer, "grant_types_supported", [SmartBackendDefaults.GrantType]);
            WriteArray(writer, "token_endpoint_auth_methods_supported", ["private_key_jwt"]);
            WriteArray(writer, "token_endpoint_auth_signing_alg_values_supported", SmartBackendDefaults.AssertionAlgorithms);
            WriteArray(writer, "scopes_supported", SmartBackendScopes.Supported);
            WriteArray(writer, "capabilities", Capabilities);

            // Listed as REQUIRED for every server, with S256 in and plain out. There is no authorization endpoint
            // here, so PKCE never comes into play; the value only keeps strict discovery validators satisfied.
            WriteArray(writer, "code_challenge_methods_supported", ["S256"]);

            // Omitted on purpose: issuer and jwks_uri (only required with sso-openid-connect), authorization_endpoint
            // (no launch capabilities) and response_types_supported (no authorization endpoint to take a response_type).
            writer.WriteEndObject();
        }

        _json = stream.ToArray();
    }

    public string TokenEndpoint { get; }

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        // SMART: SHALL be JSON whatever the Accept header says.
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = _json.Length;
        await response.Body.WriteAsync(_json, context.RequestAborted);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
