using Npgsql;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>Where the PostgreSQL tests find their server; without one they report as skipped and say why.</summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "VACDSHOOKS_TEST_POSTGRES";

    public const string SkipReason =
        "PostgreSQL tests need " + EnvironmentVariable + " (the CI script installs PostgreSQL and sets it; locally: source .ci/postgres.sh)";

    public static string? ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Call first in a <c>[SkippableFact]</c>: skips the test, with the reason, when no server is configured.</summary>
    public static void Require() => Skip.If(ServerConnectionString is null, SkipReason);
}

/// <summary>
/// The service as production runs it: cases, responses and Hangfire's jobs in a throwaway PostgreSQL database.
/// </summary>
public sealed class PostgresApiFactory : ApiFactory
{
    private readonly string? _database;

    public PostgresApiFactory()
    {
        if (PostgresServer.ServerConnectionString is not { } server)
        {
            return;
        }

        _database = $"vacdshooks_api_{Guid.NewGuid():N}";
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            create.ExecuteNonQuery();
        }

        Settings["Storage:Provider"] = "Postgres";
        Settings["ConnectionStrings:VaCdsHooks"] = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ConnectionString;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _database is not null && PostgresServer.ServerConnectionString is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            using var admin = new NpgsqlConnection(server);
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }
    }
}
