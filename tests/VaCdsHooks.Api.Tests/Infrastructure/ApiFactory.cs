using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VaCdsHooks.Testing;
using WireMock.Server;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>
/// The service on a test server with its real composition: a temp SQLite file, one registered EHR client whose
/// keys the test holds, and a WireMock server standing in for that EHR's FHIR server. A second WireMock server
/// stands for a FHIR server the client is NOT registered for.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string PublicBaseUrl = "http://localhost";
    public const string Issuer = "https://ehr.test.example";

    private readonly string _databasePath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vacdshooks-api-{Guid.NewGuid():N}.db");

    public ApiFactory()
    {
        Ehr = WireMockServer.Start();
        Stranger = WireMockServer.Start();
        Tokens = new(Issuer);
    }

    private ApiFactory(ApiFactory sibling)
        : this()
    {
        _databasePath = sibling._databasePath;
        Tokens.Dispose();
        Tokens = sibling.Tokens;
        _sibling = true;
    }

    // A sibling shares the database and keys of the factory it was made beside; that one disposes them.
    private readonly bool _sibling;

    /// <summary>A second instance of the service beside this one: the same database and the same EHR keys.</summary>
    public ApiFactory CreateSibling() => new(this);

    /// <summary>The registered EHR's FHIR server.</summary>
    public WireMockServer Ehr { get; }

    /// <summary>A FHIR server nobody registered: the service must never call it.</summary>
    public WireMockServer Stranger { get; }

    public string EhrFhirBase => Ehr.Url + "/fhir";

    public string StrangerFhirBase => Stranger.Url + "/fhir";

    public EhrTokenFactory Tokens { get; }

    /// <summary>Errors the service logged, for assertion messages.</summary>
    public CapturedErrors Errors { get; } = new();

    /// <summary>Extra configuration a test class needs (e.g. a short fetch budget).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The host environment; Development also loads appsettings.Development.json.</summary>
    protected virtual string EnvironmentName => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(Errors));
        builder.UseEnvironment(EnvironmentName);
        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["CdsHooks:PublicBaseUrl"] = PublicBaseUrl,
                ["CdsHooks:Clients:0:Issuer"] = Issuer,
                ["CdsHooks:Clients:0:Jwks"] = Tokens.JwksJson,
                ["CdsHooks:Clients:0:FhirServers:0"] = EhrFhirBase,
                ["CdsHooks:Clients:0:Tenant"] = "test-tenant",
                ["Storage:Provider"] = "Sqlite",
                ["ConnectionStrings:VaCdsHooks"] = $"Data Source={_databasePath}",
                ["CoveragePolicy:FhirResourcesPath"] = RepositoryFiles.Path("fhir-resources"),
            };
            foreach (var (key, value) in Settings)
            {
                settings[key] = value;
            }

            configuration.AddInMemoryCollection(settings);
        });
    }

    /// <summary>A client that sends <paramref name="body"/> to a service with a fresh valid token.</summary>
    public async Task<HttpResponseMessage> PostHookAsync(string serviceId, string body, string? token = null, string path = "")
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/cds-services/{serviceId}{path}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Tokens.CreateToken($"{PublicBaseUrl}/cds-services/{serviceId}"));
        return await client.SendAsync(request);
    }

    /// <summary>
    /// An access token for the DTR endpoint, obtained as a DTR client does: SMART Backend Services at the token
    /// endpoint with a client assertion signed by the registered client's key.
    /// </summary>
    public async Task<string> DtrAccessTokenAsync(string scope = "system/Questionnaire.rs system/ValueSet.rs system/QuestionnaireResponse.cu system/ClaimResponse.rs", EhrTokenFactory? keys = null)
    {
        using var client = CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = scope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = (keys ?? Tokens).CreateClientAssertion(PublicBaseUrl + "/auth/token"),
        });
        using var response = await client.PostAsync("/auth/token", form);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Token endpoint refused: {(int)response.StatusCode} {text}");
        }

        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Ehr.Stop();
            Stranger.Stop();
            Ehr.Dispose();
            Stranger.Dispose();
            if (_sibling)
            {
                return;
            }

            Tokens.Dispose();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try
                {
                    File.Delete(_databasePath + suffix);
                }
                catch (IOException)
                {
                    // A still-open handle on some platforms; the temp folder is cleaned eventually.
                }
            }
        }
    }
}
