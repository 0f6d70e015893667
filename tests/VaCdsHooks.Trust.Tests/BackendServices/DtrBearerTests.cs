using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VaCdsHooks.Testing;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>
/// The <c>DtrBearer</c> scheme and policies in front of the DTR FHIR endpoints: issued tokens pass, everything else is
/// a 401 OperationOutcome, a token without the scope is a 403 OperationOutcome, and CDS Hooks trust is unaffected.
/// </summary>
public sealed class DtrBearerTests
{
    [Fact]
    public async Task Issued_token_reads_questionnaires_and_names_its_client()
    {
        await using var host = await StartAsync((settings, _) => settings["CdsHooks:Clients:0:Tenant"] = "north");
        var token = await host.GetAccessTokenAsync();

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/dtr-lumbar-mri", token);

        var seen = await AssertAllowedAsync(response);
        Assert.Equal(host.ClientId, seen.GetProperty("clientId").GetString());
        Assert.Equal("north", seen.GetProperty("tenant").GetString());
        Assert.Equal(AllScopes, seen.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("GET", "/fhir/Questionnaire/q1")]
    [InlineData("GET", "/fhir/ValueSet/v1")]
    [InlineData("GET", "/fhir/Library/l1")]
    [InlineData("POST", "/fhir/QuestionnaireResponse")]
    [InlineData("GET", "/fhir/whoami")]
    public async Task Token_with_all_dtr_scopes_passes_every_policy(string method, string path)
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync();

        var response = await host.SendFhirAsync(new HttpMethod(method), path, token);

        await AssertAllowedAsync(response);
    }

    [Theory]
    [InlineData("system/QuestionnaireResponse.write")]
    [InlineData("system/QuestionnaireResponse.c")]
    [InlineData("system/QuestionnaireResponse.cu")]
    public async Task Create_permission_in_any_form_submits_questionnaire_responses(string scope)
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync(scope);

        var response = await host.SendFhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", token);

        await AssertAllowedAsync(response);
    }

    [Theory]
    [InlineData("system/Questionnaire.read")]
    [InlineData("system/Questionnaire.r")]
    public async Task Read_permission_in_any_form_reads_questionnaires(string scope)
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync(scope);

        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token));
    }

    [Theory]
    [InlineData("system/Questionnaire.rs", "POST", "/fhir/QuestionnaireResponse", "system/QuestionnaireResponse.c")]
    [InlineData("system/QuestionnaireResponse.cu", "GET", "/fhir/Questionnaire/q1", "system/Questionnaire.r")]
    [InlineData("system/Questionnaire.s", "GET", "/fhir/Questionnaire/q1", "system/Questionnaire.r")]
    [InlineData("system/QuestionnaireResponse.u", "POST", "/fhir/QuestionnaireResponse", "system/QuestionnaireResponse.c")]
    [InlineData("system/Questionnaire.rs", "GET", "/fhir/ValueSet/v1", "system/ValueSet.r")]
    public async Task Valid_token_lacking_the_scope_is_forbidden_with_an_operation_outcome(string granted, string method, string path, string missing)
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync(granted);

        var response = await host.SendFhirAsync(new HttpMethod(method), path, token);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Forbidden, "forbidden");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal($"error=\"insufficient_scope\", scope=\"{missing}\"", challenge.Parameter);
    }

    [Fact]
    public async Task Request_without_token_gets_401_with_operation_outcome_and_bearer_challenge()
    {
        await using var host = await StartAsync();

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token: null);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
        Assert.Null(Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Garbage_token_gets_401_with_operation_outcome_and_invalid_token_challenge()
    {
        await using var host = await StartAsync();

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", "garbage");

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
        Assert.Equal("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Expired_token_gets_401_with_an_expired_operation_outcome()
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync();
        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token));
        host.Time.Advance(TimeSpan.FromMinutes(6));

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "expired");
        Assert.Equal("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Token_still_within_its_lifetime_passes_after_four_minutes()
    {
        await using var host = await StartAsync();
        var token = await host.GetAccessTokenAsync();
        host.Time.Advance(TimeSpan.FromMinutes(4));

        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token));
    }

    [Fact]
    public async Task Token_minted_with_the_service_key_and_valid_claims_passes()
    {
        await using var host = await StartAsync();

        await AssertAllowedAsync(await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", host.MintWithServiceKey()));
    }

    [Theory]
    [InlineData("typ JWT")]
    [InlineData("aud token endpoint")]
    [InlineData("aud cds-services")]
    [InlineData("iss other")]
    [InlineData("no client_id")]
    [InlineData("sub not client_id")]
    [InlineData("unregistered client")]
    [InlineData("no exp")]
    [InlineData("nbf ahead")]
    public async Task Token_signed_with_the_service_key_but_a_wrong_claim_or_header_is_refused(string flaw)
    {
        await using var host = await StartAsync();
        var token = host.MintWithServiceKey(d =>
        {
            switch (flaw)
            {
                case "typ JWT": d.TokenType = "JWT"; break;
                case "aud token endpoint": d.Audience = TokenEndpoint; break;
                case "aud cds-services": d.Audience = PublicBaseUrl + "/cds-services/crd"; break;
                case "iss other": d.Issuer = "https://other-payer.example.org"; break;
                case "no client_id": d.Claims.Remove("client_id"); break;
                case "sub not client_id": d.Claims["sub"] = "someone-else"; break;
                case "unregistered client": d.Claims["sub"] = d.Claims["client_id"] = "unregistered"; break;
                case "no exp": d.Expires = null; break;
                case "nbf ahead": d.NotBefore = host.Time.GetUtcNow().UtcDateTime.AddMinutes(3); d.Expires = d.NotBefore.Value.AddMinutes(2); break;
            }
        });

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Token_with_the_same_claims_signed_by_another_key_is_refused()
    {
        await using var host = await StartAsync();
        var genuine = new JsonWebToken(await host.GetAccessTokenAsync());
        using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = genuine.Issuer,
            Audience = FhirBase,
            IssuedAt = genuine.IssuedAt,
            NotBefore = genuine.ValidFrom,
            Expires = genuine.ValidTo,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = host.ClientId,
                ["client_id"] = host.ClientId,
                ["scope"] = AllScopes,
                ["jti"] = "forged",
            },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(otherKey) { KeyId = genuine.Kid }, SecurityAlgorithms.EcdsaSha256),
            TokenType = "at+jwt",
        });

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", forged);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Cds_hooks_jwt_of_the_ehr_is_not_a_dtr_access_token()
    {
        await using var host = await StartAsync();
        var hookJwt = host.Ehr.CreateToken(FhirBase, t => t.Subject = host.ClientId);

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", hookJwt);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Client_assertion_is_not_a_dtr_access_token()
    {
        await using var host = await StartAsync();

        var response = await host.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", host.CreateAssertion());

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Dtr_access_token_is_not_accepted_by_the_cds_hooks_scheme_which_still_accepts_the_ehr()
    {
        await using var host = await StartAsync();
        var accessToken = await host.GetAccessTokenAsync();

        var withAccessToken = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cds-services/crd")
        {
            Headers = { Authorization = new("Bearer", accessToken) },
            Content = new StringContent("{}"),
        });
        var withEhrJwt = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cds-services/crd")
        {
            Headers = { Authorization = new("Bearer", host.Ehr.CreateToken(PublicBaseUrl + "/cds-services/crd")) },
            Content = new StringContent("{}"),
        });

        Assert.Equal(HttpStatusCode.Unauthorized, withAccessToken.StatusCode);
        Assert.Equal("application/problem+json", withAccessToken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, withEhrJwt.StatusCode);
    }

    [Fact]
    public async Task Token_of_a_client_no_longer_registered_is_refused()
    {
        string token;
        var signingKey = TestSigningKeys.EcP256PrivateJwk();
        await using (var first = await StartAsync((settings, _) =>
        {
            settings["CdsHooks:Clients:0:ClientId"] = "retired-client";
            settings["BackendServices:SigningKey"] = signingKey;
        }))
        {
            token = await first.GetAccessTokenAsync();
            await AssertAllowedAsync(await first.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token));
        }

        await using var second = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = signingKey);

        var response = await second.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", token);

        await AssertOperationOutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Token_from_a_restarted_instance_with_a_generated_key_is_refused_but_a_shared_key_carries_over()
    {
        string generatedKeyToken;
        string sharedKeyToken;
        var signingKey = TestSigningKeys.EcP256PrivateJwk();
        await using (var first = await StartAsync())
        {
            generatedKeyToken = await first.GetAccessTokenAsync();
        }

        await using (var first = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = signingKey))
        {
            sharedKeyToken = await first.GetAccessTokenAsync();
        }

        await using var second = await StartAsync((settings, _) => settings["BackendServices:SigningKey"] = signingKey);

        await AssertOperationOutcomeAsync(await second.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", generatedKeyToken), HttpStatusCode.Unauthorized, "login");
        await AssertAllowedAsync(await second.SendFhirAsync(HttpMethod.Get, "/fhir/Questionnaire/q1", sharedKeyToken));
    }
}
