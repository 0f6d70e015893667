using System.Net;
using System.Net.Sockets;
using Npgsql;
using VaCdsHooks.Api.Review;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.MultiInstance;

/// <summary>
/// Two instances of the service as production runs them: each on its own Kestrel port on loopback, both against one
/// fresh PostgreSQL database, Hangfire on PostgreSQL with a worker in each, the same EHR registration and demo
/// accounts, and nothing else in common. Started together, as a deployment's instances are. Without
/// <c>VACDSHOOKS_TEST_POSTGRES</c> nothing is started and the tests skip.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private static readonly string PasswordHash = DemoPasswords.Hash(Password);

    private string? _database;

    public ApiFactory A { get; private set; } = null!;

    public ApiFactory B { get; private set; } = null!;

    public ApiFactory[] Both => [A, B];

    public async Task InitializeAsync()
    {
        if (PostgresServer.ServerConnectionString is not { } server)
        {
            return;
        }

        _database = $"vacdshooks_multi_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        A = new ApiFactory();
        B = A.CreateSibling();
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ConnectionString;
        foreach (var instance in Both)
        {
            instance.Settings["Storage:Provider"] = "Postgres";
            instance.Settings["ConnectionStrings:VaCdsHooks"] = connectionString;
            instance.Settings["Jobs:WorkerCount"] = "2";

            // One EHR registration for both, as one configuration would be deployed to every instance.
            instance.Settings["CdsHooks:Clients:0:FhirServers:0"] = A.EhrFhirBase;
            instance.Settings["Review:DemoAccounts:Enabled"] = "true";
            instance.Settings["Review:DemoAccounts:MaxFailedAttempts"] = "3";
            var users = new[] { ("nurse", "reviewer"), ("director", "medical-director") };
            for (var i = 0; i < users.Length; i++)
            {
                instance.Settings[$"Review:DemoAccounts:Users:{i}:UserName"] = users[i].Item1;
                instance.Settings[$"Review:DemoAccounts:Users:{i}:PasswordHash"] = PasswordHash;
                instance.Settings[$"Review:DemoAccounts:Users:{i}:Roles:0"] = users[i].Item2;
            }

            instance.UseKestrel(FreePort());
        }

        // Together: both migrate, make the data-protection ring and the access-token key at the same moment.
        await Task.WhenAll(Task.Run(A.StartServer), Task.Run(B.StartServer));
    }

    public async Task DisposeAsync()
    {
        if (_database is null)
        {
            return;
        }

        // The sibling first: A owns the EHR keys they share.
        B.Dispose();
        A.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(PostgresServer.ServerConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
