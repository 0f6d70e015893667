using System.Net;
using System.Text.Json;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>SMART discovery (<c>.well-known/smart-configuration</c>) for a Backend Services-only server.</summary>
public sealed class SmartConfigurationTests
{
    [Theory]
    [InlineData("/.well-known/smart-configuration")]
    [InlineData("/fhir/.well-known/smart-configuration")]
    public async Task Discovery_document_advertises_backend_services_with_asymmetric_client_authentication(string path)
    {
        await using var host = await StartAsync();

        var response = await host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal(TokenEndpoint, root.GetProperty("token_endpoint").GetString());
        Assert.Equal(["client_credentials"], Strings(root, "grant_types_supported"));
        Assert.Equal(["private_key_jwt"], Strings(root, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["RS384", "ES384"], Strings(root, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.Equal(
            ["system/Questionnaire.rs", "system/ValueSet.rs", "system/Library.rs", "system/QuestionnaireResponse.cu", "system/ClaimResponse.rs"],
            Strings(root, "scopes_supported"));
        Assert.Equal(["client-confidential-asymmetric", "permission-v1", "permission-v2"], Strings(root, "capabilities"));
        Assert.Equal(["S256"], Strings(root, "code_challenge_methods_supported"));
        Assert.False(root.TryGetProperty("authorization_endpoint", out _));
    }

    [Fact]
    public async Task Discovery_is_json_whatever_the_accept_header_and_needs_no_token()
    {
        await using var host = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/smart-configuration");
        request.Headers.Accept.ParseAdd("application/fhir+xml");

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_endpoint_follows_a_public_base_url_with_a_path()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:PublicBaseUrl"] = "https://api.payer.example/dtr/");

        using var document = JsonDocument.Parse(await host.Client.GetStringAsync("/.well-known/smart-configuration"));

        Assert.Equal("https://api.payer.example/dtr/auth/token", document.RootElement.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Advertised_token_endpoint_is_the_audience_the_token_endpoint_accepts()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:PublicBaseUrl"] = "https://api.payer.example/dtr");
        using var document = JsonDocument.Parse(await host.Client.GetStringAsync("/.well-known/smart-configuration"));
        var advertised = document.RootElement.GetProperty("token_endpoint").GetString();

        var response = await host.RequestTokenAsync(t => t.Audience = advertised);

        await AssertTokenIssuedAsync(response);
    }

    private static string[] Strings(JsonElement root, string name) =>
        root.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
