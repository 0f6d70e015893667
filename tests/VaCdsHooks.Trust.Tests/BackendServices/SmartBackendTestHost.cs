using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VaCdsHooks.Testing;
using VaCdsHooks.Trust.Tests.Support;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>
/// A bare test server wired as the host will be: <c>AddEhrTrust</c> and <c>AddSmartBackendServices</c>, the token and
/// discovery endpoints, stand-in DTR FHIR endpoints behind <see cref="SmartBackendPolicies"/> and a CDS Hooks endpoint
/// behind <see cref="EhrJwtDefaults.Policy"/>. One registered EHR (<see cref="Ehr"/>) is the DTR client; its JWK Set
/// is served by <see cref="Jwks"/>; the clock moves by hand.
/// </summary>
internal sealed class SmartBackendTestHost : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://payer.example.org";
    public const string TokenEndpoint = PublicBaseUrl + "/auth/token";
    public const string FhirBase = PublicBaseUrl + "/fhir";
    public const string JwksUrl = "https://ehr.example.com/.well-known/jwks.json";
    public const string AllScopes = "system/Questionnaire.rs system/ValueSet.rs system/Library.rs system/QuestionnaireResponse.cu system/ClaimResponse.rs";

    private readonly WebApplication _app;

    private SmartBackendTestHost(WebApplication app, EhrTokenFactory ehr, StubJwksHandler jwks, ManualTimeProvider time, CapturingLoggerProvider logs, string clientId)
    {
        _app = app;
        Ehr = ehr;
        Jwks = jwks;
        Time = time;
        Logs = logs;
        ClientId = clientId;
        Client = app.GetTestClient();
    }

    public EhrTokenFactory Ehr { get; }

    public StubJwksHandler Jwks { get; }

    public ManualTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>The DTR client id of <see cref="Ehr"/>: its issuer unless <c>ClientId</c> was configured.</summary>
    public string ClientId { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the host. <paramref name="configure"/> may change settings (full keys, e.g.
    /// <c>CdsHooks:Clients:0:ClientId</c> or <c>BackendServices:SigningKey</c>); with
    /// <paramref name="ehrTrustFirst"/> false only <c>AddSmartBackendServices</c> is called, before <c>AddEhrTrust</c>.
    /// </summary>
    public static async Task<SmartBackendTestHost> StartAsync(
        Action<IDictionary<string, string?>, EhrTokenFactory>? configure = null,
        bool ehrTrustFirst = true,
        string environment = "Production")
    {
        var time = new ManualTimeProvider();
        var ehr = new EhrTokenFactory(time: time);
        var jwks = new StubJwksHandler().Serve(JwksUrl, ehr);
        var logs = new CapturingLoggerProvider();

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["CdsHooks:PublicBaseUrl"] = PublicBaseUrl,
            // Generous, so a starved CI core does not turn a served key set into "unavailable".
            ["CdsHooks:JwksFetchTimeout"] = "00:00:30",
            ["CdsHooks:Clients:0:Issuer"] = ehr.Issuer,
            ["CdsHooks:Clients:0:JwksUrl"] = JwksUrl,
            ["CdsHooks:Clients:0:FhirServers:0"] = "https://ehr.example.com/fhir",
        };
        configure?.Invoke(settings, ehr);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Configuration.AddInMemoryCollection(settings);

        if (ehrTrustFirst)
        {
            builder.Services.AddEhrTrust(builder.Configuration);
            builder.Services.AddSmartBackendServices(builder.Configuration);
        }
        else
        {
            builder.Services.AddSmartBackendServices(builder.Configuration);
            builder.Services.AddEhrTrust(builder.Configuration);
        }

        builder.Services.AddHttpClient(EhrJwtDefaults.JwksHttpClientName).ConfigurePrimaryHttpMessageHandler(() => jwks);
        builder.Services.AddSingleton<TimeProvider>(time);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapSmartBackendServices();
        app.MapGet("/fhir/Questionnaire/{id}", Describe).RequireAuthorization(SmartBackendPolicies.ReadQuestionnaires);
        app.MapGet("/fhir/ValueSet/{id}", Describe).RequireAuthorization(SmartBackendPolicies.ReadValueSets);
        app.MapGet("/fhir/Library/{id}", Describe).RequireAuthorization(SmartBackendPolicies.ReadLibraries);
        app.MapPost("/fhir/QuestionnaireResponse", Describe).RequireAuthorization(SmartBackendPolicies.WriteQuestionnaireResponses);
        app.MapGet("/fhir/whoami", Describe).RequireAuthorization(SmartBackendPolicies.Client);
        app.MapPost("/cds-services/{id}", (HttpContext http) => Results.Json(new { issuer = http.GetEhrClient()?.Issuer }))
            .RequireAuthorization(EhrJwtDefaults.Policy);
        await app.StartAsync();

        var clientId = settings.GetValueOrDefault("CdsHooks:Clients:0:ClientId") ?? settings["CdsHooks:Clients:0:Issuer"]!;
        return new SmartBackendTestHost(app, ehr, jwks, time, logs, clientId);
    }

    /// <summary>A client assertion for the token endpoint: iss = sub = <see cref="ClientId"/>, then <paramref name="customize"/>.</summary>
    public string CreateAssertion(Action<EhrTokenDescriptor>? customize = null) =>
        Ehr.CreateClientAssertion(TokenEndpoint, ClientId, customize);

    /// <summary>Posts a token request; a null value leaves that parameter out.</summary>
    public Task<HttpResponseMessage> RequestTokenAsync(
        string? assertion,
        string? scope = AllScopes,
        string? grantType = "client_credentials",
        string? assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        params (string Name, string Value)[] extra)
    {
        var form = new List<KeyValuePair<string, string>>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                form.Add(new(name, value));
            }
        }

        Add("grant_type", grantType);
        Add("scope", scope);
        Add("client_assertion_type", assertionType);
        Add("client_assertion", assertion);
        foreach (var (name, value) in extra)
        {
            Add(name, value);
        }

        return Client.PostAsync("/auth/token", new FormUrlEncodedContent(form));
    }

    /// <summary>Requests a token with an assertion adjusted by <paramref name="customize"/>.</summary>
    public Task<HttpResponseMessage> RequestTokenAsync(Action<EhrTokenDescriptor>? customize = null, string? scope = AllScopes) =>
        RequestTokenAsync(CreateAssertion(customize), scope);

    /// <summary>A granted access token for <paramref name="scope"/>.</summary>
    public async Task<string> GetAccessTokenAsync(string scope = AllScopes)
    {
        var body = await AssertTokenIssuedAsync(await RequestTokenAsync(scope: scope));
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// A token signed with this service's own access-token key: valid defaults as the token endpoint would issue,
    /// adjusted by <paramref name="customize"/>, to show each check of the DtrBearer scheme on its own.
    /// </summary>
    public string MintWithServiceKey(Action<SecurityTokenDescriptor>? customize = null)
    {
        var key = Services.GetRequiredService<AccessTokenSigningKey>();
        var now = Time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = PublicBaseUrl,
            Audience = FhirBase,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = ClientId,
                ["client_id"] = ClientId,
                ["scope"] = AllScopes,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = key.Credentials,
            TokenType = "at+jwt",
        };
        customize?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public async Task<HttpResponseMessage> SendFhirAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("{\"resourceType\":\"QuestionnaireResponse\"}", Encoding.UTF8, "application/fhir+json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Ehr.Dispose();
    }

    /// <summary>Asserts a 200 token response with the SMART shape and no caching; returns its body.</summary>
    public static async Task<JsonElement> AssertTokenIssuedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Token responses must carry Cache-Control: no-store.");
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()));
        return body;
    }

    /// <summary>Asserts an RFC 6749 section 5.2 error response; returns its body.</summary>
    public static async Task<JsonElement> AssertTokenErrorAsync(HttpResponseMessage response, string error, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Token error responses must carry Cache-Control: no-store.");
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
        Assert.False(body.TryGetProperty("access_token", out _));
        return body;
    }

    /// <summary>Asserts a FHIR OperationOutcome answer with <paramref name="status"/> and issue code <paramref name="issueCode"/>.</summary>
    public static async Task<JsonElement> AssertOperationOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string issueCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        var outcome = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        var issue = Assert.Single(outcome.GetProperty("issue").EnumerateArray());
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        Assert.Equal(issueCode, issue.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("diagnostics").GetString()));
        return outcome;
    }

    /// <summary>Asserts a 200 from a stand-in FHIR endpoint; returns what it saw of the DTR client.</summary>
    public static async Task<JsonElement> AssertAllowedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 but got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static IResult Describe(HttpContext http) => Results.Json(new
    {
        clientId = http.GetDtrClientId(),
        tenant = http.GetDtrClient()?.Tenant,
        scope = http.GetDtrScope(),
    });
}
