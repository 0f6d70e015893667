using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
    }

    /// <summary>The registered EHR's FHIR server.</summary>
    public WireMockServer Ehr { get; }

    /// <summary>A FHIR server nobody registered: the service must never call it.</summary>
    public WireMockServer Stranger { get; }

    public string EhrFhirBase => Ehr.Url + "/fhir";

    public string StrangerFhirBase => Stranger.Url + "/fhir";

    public EhrTokenFactory Tokens { get; } = new(Issuer);

    /// <summary>Extra configuration a test class needs (e.g. a short fetch budget).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The host environment; Development also loads appsettings.Development.json.</summary>
    protected virtual string EnvironmentName => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
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

    /// <summary>An access token for the DTR endpoint, as a DTR client holds after SMART Backend Services.</summary>
    public string? DtrAccessToken() => null;

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Tokens.Dispose();
            Ehr.Stop();
            Stranger.Stop();
            Ehr.Dispose();
            Stranger.Dispose();
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
