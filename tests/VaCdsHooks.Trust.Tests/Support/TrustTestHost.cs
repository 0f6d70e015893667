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
using VaCdsHooks.Testing;

namespace VaCdsHooks.Trust.Tests.Support;

/// <summary>
/// A bare test server with the two CDS Hooks endpoints behind <see cref="EhrJwtDefaults.Policy"/>, one registered
/// EHR (<see cref="Ehr"/>) whose JWK Set is served by <see cref="Jwks"/>, and a hand-moved clock.
/// </summary>
internal sealed class TrustTestHost : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://cds.example.org";
    public const string JwksUrl = "https://ehr.example.com/.well-known/jwks.json";
    public const string FhirServer = "https://ehr.example.com/fhir";
    public const string ServiceId = "crd-order-sign";

    private readonly WebApplication _app;

    private TrustTestHost(WebApplication app, EhrTokenFactory ehr, StubJwksHandler jwks, ManualTimeProvider time, CapturingLoggerProvider logs)
    {
        _app = app;
        Ehr = ehr;
        Jwks = jwks;
        Time = time;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public EhrTokenFactory Ehr { get; }

    public StubJwksHandler Jwks { get; }

    public ManualTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static string ServiceUrl(string id = ServiceId) => $"{PublicBaseUrl}/cds-services/{id}";

    public static string FeedbackUrl(string id = ServiceId) => $"{ServiceUrl(id)}/feedback";

    /// <summary>
    /// Starts the host. <paramref name="configure"/> may change the <c>CdsHooks</c> settings (keys relative to the
    /// section) before start; <paramref name="configureTrust"/> receives what <c>AddEhrTrust</c> returned.
    /// </summary>
    public static async Task<TrustTestHost> StartAsync(
        Action<IDictionary<string, string?>, EhrTokenFactory>? configure = null,
        Action<EhrTrustBuilder>? configureTrust = null)
    {
        var time = new ManualTimeProvider();
        var ehr = new EhrTokenFactory(time: time);
        var jwks = new StubJwksHandler().Serve(JwksUrl, ehr);
        var logs = new CapturingLoggerProvider();

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["PublicBaseUrl"] = PublicBaseUrl,
            // Generous, so a starved CI core does not turn a served key set into "unavailable"; timeout tests set their own.
            ["JwksFetchTimeout"] = "00:00:30",
            ["Clients:0:Issuer"] = ehr.Issuer,
            ["Clients:0:JwksUrl"] = JwksUrl,
            ["Clients:0:FhirServers:0"] = FhirServer,
        };
        configure?.Invoke(settings, ehr);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Configuration.AddInMemoryCollection(settings.Select(pair =>
            new KeyValuePair<string, string?>($"{EhrJwtDefaults.ConfigurationSection}:{pair.Key}", pair.Value)));

        var trust = builder.Services.AddEhrTrust(builder.Configuration);
        trust.JwksHttpClient.ConfigurePrimaryHttpMessageHandler(() => jwks);
        builder.Services.AddSingleton<TimeProvider>(time);
        configureTrust?.Invoke(trust);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/cds-services/{id}", (HttpContext http) => Results.Json(Describe(http.GetEhrClient())))
            .RequireAuthorization(EhrJwtDefaults.Policy);
        app.MapPost("/cds-services/{id}/feedback", (HttpContext http) => Results.Json(Describe(http.GetEhrClient())))
            .RequireAuthorization(EhrJwtDefaults.Policy);
        await app.StartAsync();
        return new TrustTestHost(app, ehr, jwks, time, logs);
    }

    /// <summary>POSTs an empty hook body to <paramref name="path"/> with <paramref name="token"/> as bearer, if any.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>Calls the default service with a token for its URL, adjusted by <paramref name="customize"/>.</summary>
    public Task<HttpResponseMessage> CallServiceAsync(Action<EhrTokenDescriptor>? customize = null) =>
        PostAsync($"/cds-services/{ServiceId}", Ehr.CreateToken(ServiceUrl(), customize));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Ehr.Dispose();
    }

    /// <summary>Asserts a 401 with the problem document and challenge the CDS Hooks trust rules require.</summary>
    public static async Task AssertRejectedAsync(HttpResponseMessage response, EhrTokenRejection expected)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        if (expected == EhrTokenRejection.MissingToken)
        {
            Assert.Null(challenge.Parameter);
        }
        else
        {
            Assert.Equal("error=\"invalid_token\"", challenge.Parameter);
        }

        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(EhrTokenRejections.Code(expected), problem.RootElement.GetProperty("reason").GetString());
        Assert.Equal(EhrTokenRejections.Describe(expected), problem.RootElement.GetProperty("detail").GetString());
    }

    /// <summary>Asserts a 200 and returns the issuer the endpoint saw through <c>GetEhrClient()</c>.</summary>
    public static async Task<JsonElement> AssertAcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static object Describe(EhrClientRegistration? client) => new
    {
        issuer = client?.Issuer,
        clientId = client?.ClientId,
        tenant = client?.Tenant,
    };
}
