using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace VaCdsHooks.Api.Tests.Review;

/// <summary>The host with the payer's OpenID Connect provider configured; WireMock plays the provider.</summary>
public sealed class OidcFactory : ApiFactory
{
    public const string ClientId = "review-workspace";

    private readonly RSA _key = RSA.Create(2048);

    public OidcFactory()
    {
        Provider = WireMockServer.Start();
        var parameters = _key.ExportParameters(false);
        Provider.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBodyAsJson(new Dictionary<string, object>
            {
                ["issuer"] = Provider.Url!,
                ["authorization_endpoint"] = Provider.Url + "/authorize",
                ["token_endpoint"] = Provider.Url + "/token",
                ["jwks_uri"] = Provider.Url + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            }));
        Provider.Given(Request.Create().WithPath("/jwks").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBodyAsJson(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = "payer-idp",
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            }));

        Settings["Review:Oidc:Authority"] = Provider.Url;
        Settings["Review:Oidc:ClientId"] = ClientId;
        Settings["Review:Oidc:ClientSecret"] = "not-a-real-secret";
        Settings["Review:Oidc:RequireHttpsMetadata"] = "false";
        Settings["Review:Oidc:RoleClaim"] = "groups";
        Settings["Review:Oidc:RoleMap:pa-nurses"] = "reviewer";
        Settings["Review:Oidc:RoleMap:pa-medical-directors"] = "medical-director";
    }

    public WireMockServer Provider { get; }

    public string Token(string subject, string[] groups, string audience = ClientId, RSA? signedWith = null)
    {
        var key = new RsaSecurityKey(signedWith ?? _key) { KeyId = "payer-idp" };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Provider.Url,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["groups"] = groups, ["name"] = "System " + subject },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Provider.Stop();
            Provider.Dispose();
            _key.Dispose();
        }
    }
}

/// <summary>Payer systems call the JSON API with bearer tokens from the payer's provider; browsers go to the provider to sign in.</summary>
public sealed class PayerSystemTests(OidcFactory factory) : IClassFixture<OidcFactory>
{
    private HttpClient Client(string token)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_payer_system_with_a_mapped_group_reads_the_queue_and_decides_and_is_audited_by_its_subject()
    {
        var seeded = await ReviewCases.SeedPendingReviewAsync(factory.Services);
        using var client = Client(factory.Token("um-system-7", ["pa-nurses", "unrelated-group"]));

        var me = await client.GetFromJsonAsync<JsonElement>("/review/api/me");
        using var queue = await client.GetAsync("/review/api/cases");
        using var decision = await client.PostAsJsonAsync($"/review/api/cases/{seeded.CaseId}/decisions", new { decision = "pend", expectedVersion = seeded.Version, rationale = "Send the MRI report." });

        Assert.Equal(["reviewer"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        Assert.Equal(HttpStatusCode.Created, decision.StatusCode);
        var audit = await StoredRows.AuditAsync(factory.Services, seeded.CaseId);
        Assert.Contains(audit, e => e.Action == AuditActions.Decide && e.ActorUserId == "um-system-7" && e.ActorRole == "reviewer");
    }

    [Fact]
    public async Task A_token_without_a_mapped_group_is_403()
    {
        using var client = Client(factory.Token("someone", ["finance"]));

        using var response = await client.GetAsync("/review/api/cases");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("wrong-audience")]
    [InlineData("wrong-key")]
    [InlineData("garbage")]
    public async Task A_bad_token_is_401(string how)
    {
        using var otherKey = RSA.Create(2048);
        var token = how switch
        {
            "wrong-audience" => factory.Token("um-system-7", ["pa-nurses"], audience: "another-app"),
            "wrong-key" => factory.Token("um-system-7", ["pa-nurses"], signedWith: otherKey),
            _ => "not.a.token",
        };
        using var client = Client(token);

        using var response = await client.GetAsync("/review/api/cases");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_browser_is_sent_to_the_provider_to_sign_in_with_PKCE()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/review/sign-in?returnUrl=%2Freview");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith(factory.Provider.Url + "/authorize", location, StringComparison.Ordinal);
        Assert.Contains("client_id=" + OidcFactory.ClientId, location, StringComparison.Ordinal);
        Assert.Contains("code_challenge=", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hook_endpoints_still_answer_only_to_EHR_tokens()
    {
        using var client = Client(factory.Token("um-system-7", ["pa-medical-directors"]));

        using var response = await client.PostAsync("/cds-services/vertebral-augmentation-order-sign", new StringContent(Charts.Request(Charts.Conditional).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_review_API_is_in_the_OpenAPI_document()
    {
        using var client = factory.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/review/api/cases/{caseId}/decisions", document, StringComparison.Ordinal);
        Assert.Contains("DecisionRequest", document, StringComparison.Ordinal);
    }
}
