using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>SMART Backend Services token requests that succeed, and what the issued access token says.</summary>
public sealed class TokenEndpointTests
{
    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public async Task Assertion_signed_with_a_registered_key_gets_an_access_token(string algorithm)
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Algorithm = algorithm);

        var body = await AssertTokenIssuedAsync(response);
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(AllScopes, body.GetProperty("scope").GetString());
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task Access_token_carries_issuer_fhir_audience_client_scope_and_a_five_minute_lifetime()
    {
        await using var host = await StartAsync();

        var body = await AssertTokenIssuedAsync(await host.RequestTokenAsync(scope: "system/Questionnaire.rs"));

        var token = new JsonWebToken(body.GetProperty("access_token").GetString()!);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal("ES256", token.Alg);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Equal(PublicBaseUrl, token.Issuer);
        Assert.Equal(FhirBase, Assert.Single(token.Audiences));
        Assert.Equal(host.ClientId, token.Subject);
        Assert.Equal(host.ClientId, token.GetPayloadValue<string>("client_id"));
        Assert.Equal("system/Questionnaire.rs", token.GetPayloadValue<string>("scope"));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(TimeSpan.FromMinutes(5), token.ValidTo - token.IssuedAt);
        Assert.False(token.TryGetPayloadValue<string>("tenant", out _));
    }

    [Fact]
    public async Task Each_access_token_has_its_own_jti()
    {
        await using var host = await StartAsync();

        var first = new JsonWebToken(await host.GetAccessTokenAsync());
        var second = new JsonWebToken(await host.GetAccessTokenAsync());

        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task Access_token_carries_the_tenant_of_a_client_that_has_one()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:Clients:0:Tenant"] = "north");

        var token = new JsonWebToken(await host.GetAccessTokenAsync());

        Assert.Equal("north", token.GetPayloadValue<string>("tenant"));
    }

    [Fact]
    public async Task Configured_client_id_replaces_the_issuer_as_the_dtr_client_id()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:Clients:0:ClientId"] = "dtr-app-7");

        var accepted = await host.RequestTokenAsync(t =>
        {
            t.Issuer = "dtr-app-7";
            t.Subject = "dtr-app-7";
        });
        var withIssuer = await host.RequestTokenAsync(t =>
        {
            t.Issuer = host.Ehr.Issuer;
            t.Subject = host.Ehr.Issuer;
        });

        var body = await AssertTokenIssuedAsync(accepted);
        var token = new JsonWebToken(body.GetProperty("access_token").GetString()!);
        Assert.Equal("dtr-app-7", token.Subject);
        Assert.Equal("dtr-app-7", token.GetPayloadValue<string>("client_id"));
        await AssertTokenErrorAsync(withIssuer, "invalid_client");
    }

    [Fact]
    public async Task Assertion_with_an_inline_jwk_set_client_is_accepted()
    {
        await using var host = await StartAsync((settings, ehr) =>
        {
            settings["CdsHooks:Clients:0:JwksUrl"] = null;
            settings["CdsHooks:Clients:0:Jwks"] = ehr.JwksJson;
        });

        await AssertTokenIssuedAsync(await host.RequestTokenAsync());
        Assert.Equal(0, host.Jwks.TotalFetchCount);
    }

    [Fact]
    public async Task Jwk_set_is_fetched_once_and_shared_with_cds_hooks_validation()
    {
        await using var host = await StartAsync();

        await AssertTokenIssuedAsync(await host.RequestTokenAsync(t => t.Algorithm = "ES384"));
        await AssertTokenIssuedAsync(await host.RequestTokenAsync(t => t.Algorithm = "ES384"));
        var hook = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cds-services/crd")
        {
            Headers = { Authorization = new("Bearer", host.Ehr.CreateToken(PublicBaseUrl + "/cds-services/crd")) },
            Content = new StringContent("{}"),
        });

        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        Assert.Equal(1, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Key_added_by_the_client_is_found_by_refetching_its_jwk_set()
    {
        await using var host = await StartAsync();
        await AssertTokenIssuedAsync(await host.RequestTokenAsync());
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var rotated = host.Ehr.AddKey("RS384", "rotated-rs384");

        var response = await host.RequestTokenAsync(t => t.SigningKey = rotated);

        await AssertTokenIssuedAsync(response);
        Assert.Equal(2, host.Jwks.FetchCount(JwksUrl));
    }

    [Fact]
    public async Task Allow_listed_jku_is_honoured()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:Clients:0:AllowedJku:0"] = JwksUrl);

        await AssertTokenIssuedAsync(await host.RequestTokenAsync(t => t.Jku = JwksUrl));
    }

    [Fact]
    public async Task Matching_client_id_parameter_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), extra: ("client_id", host.ClientId));

        await AssertTokenIssuedAsync(response);
    }

    [Fact]
    public async Task Assertion_audience_may_be_an_array_holding_the_token_url_with_a_trailing_slash()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Audiences = ["https://other.example.org", TokenEndpoint + "/"]);

        await AssertTokenIssuedAsync(response);
    }

    [Fact]
    public async Task Smart_backend_services_registered_before_ehr_trust_compose_the_same()
    {
        await using var host = await StartAsync(ehrTrustFirst: false);

        var token = await host.GetAccessTokenAsync();
        var fhir = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/dtr", token);
        var hook = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cds-services/crd")
        {
            Headers = { Authorization = new("Bearer", host.Ehr.CreateToken(PublicBaseUrl + "/cds-services/crd")) },
            Content = new StringContent("{}"),
        });

        await AssertAllowedAsync(fhir);
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
    }

    [Fact]
    public async Task Issuing_logs_client_and_scope_but_never_the_assertion_or_the_token()
    {
        await using var host = await StartAsync();
        var assertion = host.CreateAssertion();

        var body = await AssertTokenIssuedAsync(await host.RequestTokenAsync(assertion));

        var accessToken = body.GetProperty("access_token").GetString()!;
        var lines = host.Logs.Lines.ToArray();
        Assert.Contains(lines, l => l.EventId.Id == 4200 && l.Message.Contains(host.ClientId, StringComparison.Ordinal));
        var secrets = assertion.Split('.').Concat(accessToken.Split('.')).Where(part => part.Length > 0).ToArray();
        Assert.DoesNotContain(lines, l => secrets.Any(part => l.Message.Contains(part, StringComparison.Ordinal)));
    }
}
