using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>The worked example of the Trust README, run as written with the published demo EHR key.</summary>
public sealed class DemoKeyWorkedExampleTests
{
    private const string DemoClientId = "https://demo-ehr.vacdshooks.invalid";
    private const string DemoBaseUrl = "http://localhost:5080";

    [Fact]
    public async Task Demo_ehr_gets_a_dtr_token_with_the_readme_assertion_and_reads_a_questionnaire()
    {
        var privateJwk = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "demo", "demo-ehr-private-jwk.json"));
        await using var host = await StartAsync((settings, _) =>
        {
            // As in src/VaCdsHooks.Api/appsettings.Development.json.
            settings["CdsHooks:PublicBaseUrl"] = DemoBaseUrl;
            settings["CdsHooks:Clients:0:Issuer"] = DemoClientId;
            settings["CdsHooks:Clients:0:JwksUrl"] = null;
            settings["CdsHooks:Clients:0:Jwks"] = PublicJwks(privateJwk);
            settings["CdsHooks:Clients:0:FhirServers:0"] = "http://localhost:5090/fhir";
            settings["CdsHooks:Clients:0:Tenant"] = "demo";
        });

        // The README's snippet.
        var key = new JsonWebKey(privateJwk);
        const string ClientId = DemoClientId;
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ClientId,
            Audience = "http://localhost:5080/auth/token",
            Expires = DateTime.UtcNow.AddMinutes(4),
            Claims = new Dictionary<string, object> { ["sub"] = ClientId, ["jti"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
            TokenType = "JWT",
        });

        var body = await AssertTokenIssuedAsync(await host.RequestTokenAsync(assertion, scope: "system/Questionnaire.rs system/QuestionnaireResponse.cu"));
        Assert.Equal("system/Questionnaire.rs system/QuestionnaireResponse.cu", body.GetProperty("scope").GetString());
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());

        var seen = await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", body.GetProperty("access_token").GetString()));
        Assert.Equal(DemoClientId, seen.GetProperty("clientId").GetString());
        Assert.Equal("demo", seen.GetProperty("tenant").GetString());
    }

    private static string PublicJwks(string privateJwk)
    {
        var jwk = JsonNode.Parse(privateJwk)!.AsObject();
        jwk.Remove("d");
        jwk.Remove("_comment");
        return new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VaCdsHooks.sln not found above " + AppContext.BaseDirectory);
    }
}
