using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VaCdsHooks.Testing;
using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>
/// Token requests that are refused, each with the RFC 6749 section 5.2 error SMART Backend Services asks for:
/// anything wrong with the client's authentication is invalid_client.
/// </summary>
public sealed class TokenRequestRefusalTests
{
    [Fact]
    public async Task Wrong_grant_type_is_unsupported_grant_type()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), grantType: "authorization_code");

        await AssertTokenErrorAsync(response, "unsupported_grant_type");
    }

    [Fact]
    public async Task Missing_grant_type_is_invalid_request()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), grantType: null);

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task Wrong_client_assertion_type_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), assertionType: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer");

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Missing_client_assertion_type_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), assertionType: null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Missing_client_assertion_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(assertion: (string?)null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_that_is_not_a_jwt_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync("not-a-jwt");

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_signed_by_another_key_under_a_registered_kid_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t =>
        {
            t.SigningKey = EhrTestKey.Create("ES384");
            t.KeyId = host.Ehr.Es384Key.KeyId;
        });

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_with_a_tampered_payload_is_invalid_client()
    {
        await using var host = await StartAsync();
        var parts = host.CreateAssertion().Split('.');
        var other = host.CreateAssertion(t => t.JwtId = "another").Split('.');

        var response = await host.RequestTokenAsync($"{parts[0]}.{other[1]}.{parts[2]}");

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Unsigned_assertion_with_alg_none_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Algorithm = "none");

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Hmac_assertion_keyed_with_the_public_key_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t =>
        {
            t.Algorithm = "HS384";
            t.KeyId = host.Ehr.Rs384Key.KeyId;
            t.HmacSecret = host.Ehr.Rs384Key.PublicKeyBytes;
        });

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    [InlineData("PS384")]
    public async Task Algorithm_not_advertised_for_assertions_is_invalid_client(string algorithm)
    {
        await using var host = await StartAsync((_, ehr) => ehr.AddKey(algorithm));

        var response = await host.RequestTokenAsync(t => t.Algorithm = algorithm);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    // RFC 7515 section 4.1.11: a crit extension we do not implement refuses the assertion.
    [Fact]
    public async Task Assertion_naming_critical_header_extensions_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t =>
        {
            t.ExtraHeaders["crit"] = new[] { "http://example.org/unknown-extension" };
            t.ExtraHeaders["http://example.org/unknown-extension"] = true;
        });

        await AssertTokenErrorAsync(response, "invalid_client");
        Assert.Contains("crit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_client_is_invalid_client()
    {
        await using var host = await StartAsync();
        using var stranger = new EhrTokenFactory("https://stranger.example.com");

        var response = await host.RequestTokenAsync(stranger.CreateClientAssertion(TokenEndpoint));

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Subject_other_than_the_issuer_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Subject = "someone-else");

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Missing_subject_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Subject = null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Client_id_parameter_naming_another_client_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), extra: ("client_id", "another-client"));

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Theory]
    [InlineData(PublicBaseUrl + "/fhir")]
    [InlineData(PublicBaseUrl)]
    [InlineData(PublicBaseUrl + "/auth/token/extra")]
    [InlineData("https://payer.example.org.evil.example/auth/token")]
    [InlineData("https://other.example.org/auth/token")]
    public async Task Audience_other_than_the_token_url_is_invalid_client(string audience)
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Audience = audience);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Expired_assertion_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t =>
        {
            t.IssuedAt = host.Time.GetUtcNow().AddMinutes(-4);
            t.ExpiresAt = host.Time.GetUtcNow().AddMinutes(-1);
        });

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_expiring_more_than_five_minutes_ahead_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.ExpiresAt = host.Time.GetUtcNow().AddMinutes(10));

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_expiring_in_exactly_five_minutes_is_accepted()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.ExpiresAt = host.Time.GetUtcNow().AddMinutes(5));

        await AssertTokenIssuedAsync(response);
    }

    [Fact]
    public async Task Assertion_without_exp_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.ExpiresAt = null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_issued_in_the_future_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t =>
        {
            t.IssuedAt = host.Time.GetUtcNow().AddMinutes(2);
            t.ExpiresAt = host.Time.GetUtcNow().AddMinutes(4);
        });

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_without_jti_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.JwtId = null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Replayed_assertion_is_invalid_client()
    {
        await using var host = await StartAsync();
        var assertion = host.CreateAssertion();
        await AssertTokenIssuedAsync(await host.RequestTokenAsync(assertion));

        var replay = await host.RequestTokenAsync(assertion);

        var body = await AssertTokenErrorAsync(replay, "invalid_client");
        Assert.Contains("already been used", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_assertion_reusing_a_jti_is_invalid_client()
    {
        await using var host = await StartAsync();
        await AssertTokenIssuedAsync(await host.RequestTokenAsync(t => t.JwtId = "jti-1"));

        var response = await host.RequestTokenAsync(t =>
        {
            t.JwtId = "jti-1";
            t.Algorithm = "RS384";
        });

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Refused_assertion_does_not_use_up_its_jti()
    {
        await using var host = await StartAsync();
        await AssertTokenErrorAsync(await host.RequestTokenAsync(t =>
        {
            t.JwtId = "jti-2";
            t.Audience = PublicBaseUrl + "/fhir";
        }), "invalid_client");

        var response = await host.RequestTokenAsync(t => t.JwtId = "jti-2");

        await AssertTokenIssuedAsync(response);
    }

    [Fact]
    public async Task Jti_of_a_cds_hooks_call_does_not_block_an_assertion_with_the_same_jti()
    {
        await using var host = await StartAsync();
        var hook = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cds-services/crd")
        {
            Headers = { Authorization = new("Bearer", host.Ehr.CreateToken(PublicBaseUrl + "/cds-services/crd", t => t.JwtId = "shared-jti")) },
            Content = new StringContent("{}"),
        });
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);

        var response = await host.RequestTokenAsync(t => t.JwtId = "shared-jti");

        await AssertTokenIssuedAsync(response);
    }

    [Fact]
    public async Task Assertion_without_typ_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.Type = null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Access_token_presented_as_an_assertion_is_invalid_client()
    {
        await using var host = await StartAsync();
        var accessToken = await host.GetAccessTokenAsync();

        var response = await host.RequestTokenAsync(accessToken);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Assertion_without_kid_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.KeyId = null);

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Kid_of_a_key_the_client_does_not_publish_is_invalid_client()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(t => t.SignedWithUnpublishedKey());

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Jku_not_registered_for_the_client_is_invalid_client()
    {
        await using var host = await StartAsync();
        host.Jwks.Serve("https://attacker.example/jwks", host.Ehr);

        var response = await host.RequestTokenAsync(t => t.Jku = "https://attacker.example/jwks");

        await AssertTokenErrorAsync(response, "invalid_client");
        Assert.Equal(0, host.Jwks.FetchCount("https://attacker.example/jwks"));
    }

    [Fact]
    public async Task Unreachable_jwk_set_is_invalid_client()
    {
        await using var host = await StartAsync();
        host.Jwks.Respond(JwksUrl, HttpStatusCode.InternalServerError);

        var response = await host.RequestTokenAsync();

        await AssertTokenErrorAsync(response, "invalid_client");
    }

    [Fact]
    public async Task Requesting_only_scopes_that_cannot_be_granted_is_invalid_scope()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(scope: "system/Patient.rs system/Questionnaire.d user/Questionnaire.rs");

        await AssertTokenErrorAsync(response, "invalid_scope");
    }

    [Fact]
    public async Task Missing_scope_is_invalid_scope()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(scope: null);

        await AssertTokenErrorAsync(response, "invalid_scope");
    }

    [Fact]
    public async Task Repeated_parameter_is_invalid_request()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), extra: ("scope", "system/ValueSet.rs"));

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task Client_secret_alongside_the_assertion_is_invalid_request()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), extra: ("client_secret", "s3cret"));

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task Http_basic_authentication_gets_a_401_invalid_client_with_a_basic_challenge()
    {
        await using var host = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", AllScopes)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("client:secret")));

        var response = await host.Client.SendAsync(request);

        await AssertTokenErrorAsync(response, "invalid_client", HttpStatusCode.Unauthorized);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Json_body_is_invalid_request()
    {
        await using var host = await StartAsync();

        var response = await host.Client.PostAsync("/auth/token", new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json"));

        await AssertTokenErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task Body_over_16_kib_is_refused_with_413()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(host.CreateAssertion(), extra: ("padding", new string('a', 17 * 1024)));

        await AssertTokenErrorAsync(response, "invalid_request", HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Chunked_body_over_16_kib_is_refused_with_413()
    {
        await using var host = await StartAsync();
        var body = "grant_type=client_credentials&padding=" + new string('a', 17 * 1024);
        using var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await host.Client.SendAsync(request);

        await AssertTokenErrorAsync(response, "invalid_request", HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Get_on_the_token_endpoint_is_not_allowed()
    {
        await using var host = await StartAsync();

        var response = await host.Client.GetAsync("/auth/token");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Refusal_is_logged_with_reason_and_client_but_not_the_assertion()
    {
        await using var host = await StartAsync();
        var assertion = host.CreateAssertion(t => t.Audience = PublicBaseUrl);

        await AssertTokenErrorAsync(await host.RequestTokenAsync(assertion), "invalid_client");

        var lines = host.Logs.Lines.ToArray();
        Assert.Contains(lines, l => l.EventId.Id == 4201
            && l.Message.Contains("WrongAudience", StringComparison.Ordinal)
            && l.Message.Contains(host.ClientId, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => assertion.Split('.').Any(part => part.Length > 0 && l.Message.Contains(part, StringComparison.Ordinal)));
    }
}
