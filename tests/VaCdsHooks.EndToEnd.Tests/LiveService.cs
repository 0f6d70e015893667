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

/// <summary>Finds the repository from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VaCdsHooks.sln not found above " + AppContext.BaseDirectory);
    }
}
