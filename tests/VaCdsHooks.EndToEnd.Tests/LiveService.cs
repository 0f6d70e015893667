using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Review;
using VaCdsHooks.Testing;

namespace VaCdsHooks.EndToEnd.Tests;

/// <summary>
/// The real service on a free Kestrel port (a browser needs a socket), with its real composition: a temp SQLite file,
/// Hangfire in memory running the documentation job, one registered EHR whose keys the test holds, and the demo
/// accounts enabled explicitly (this is the Testing environment, not Development) with the README's passwords.
/// </summary>
public sealed class LiveService : WebApplicationFactory<Program>
{
    public const string Issuer = "https://ehr.e2e.example";
    public const string ReviewerPassword = "reviewer-demo";

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"vacdshooks-e2e-{Guid.NewGuid():N}.db");

    public LiveService()
    {
        Port = FreePort();
        BaseUrl = $"http://localhost:{Port}";
        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }

    public string BaseUrl { get; }

    public EhrTokenFactory Tokens { get; } = new(Issuer);

    /// <summary>SMART Backend Services, as a DTR app authenticates: a client assertion signed with the EHR's registered key.</summary>
    public async Task<string> AccessTokenAsync(HttpClient http, string scopes)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = scopes,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = Tokens.CreateClientAssertion(BaseUrl + "/auth/token"),
        });
        using var response = await http.PostAsync("/auth/token", form);
        var text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");

        // Outside Development the stylesheet comes from the build's static web assets manifest, as after publishing.
        builder.UseStaticWebAssets();
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = BaseUrl,
            ["CdsHooks:Clients:0:Issuer"] = Issuer,
            ["CdsHooks:Clients:0:Jwks"] = Tokens.JwksJson,
            ["CdsHooks:Clients:0:FhirServers:0"] = "http://127.0.0.1:9/fhir",
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:VaCdsHooks"] = $"Data Source={_databasePath}",
            ["CoveragePolicy:FhirResourcesPath"] = RepositoryFiles.Path("fhir-resources"),
            ["Review:DemoAccounts:Enabled"] = "true",
            ["Review:DemoAccounts:Users:0:UserName"] = "reviewer",
            ["Review:DemoAccounts:Users:0:DisplayName"] = "Riley Reviewer (demo)",
            ["Review:DemoAccounts:Users:0:PasswordHash"] = DemoPasswords.Hash(ReviewerPassword),
            ["Review:DemoAccounts:Users:0:Roles:0"] = "reviewer",
        }));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Tokens.Dispose();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try
                {
                    File.Delete(_databasePath + suffix);
                }
                catch (IOException)
                {
                    // Still open on some platforms; the temp folder is cleaned eventually.
                }
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Files of the repository (found by <see cref="RepositoryRoot"/>).</summary>
public static class RepositoryFiles
{
    public static string Root => RepositoryRoot.Path;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
