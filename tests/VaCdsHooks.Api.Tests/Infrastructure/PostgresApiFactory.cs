using Npgsql;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>A test that needs PostgreSQL; reported as skipped, with the reason, when no server is configured.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string EnvironmentVariable = "VACDSHOOKS_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (ServerConnectionString is null)
        {
            Skip = "PostgreSQL tests need " + EnvironmentVariable + " (the CI script installs PostgreSQL and sets it; locally: source .ci/postgres.sh)";
        }
    }

    public static string? ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;
}

/// <summary>
/// The service as production runs it: cases, responses and Hangfire's jobs in a throwaway PostgreSQL database.
/// </summary>
public sealed class PostgresApiFactory : ApiFactory
{
    private readonly string? _database;

    public PostgresApiFactory()
    {
        if (PostgresFactAttribute.ServerConnectionString is not { } server)
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
        if (disposing && _database is not null && PostgresFactAttribute.ServerConnectionString is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            using var admin = new NpgsqlConnection(server);
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }
    }
}
