using System.Reflection;
using Xunit.Sdk;

namespace VaCdsHooks.Storage.Tests.Infrastructure;

/// <summary>Runs a theory against a SQLite file database.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteStorageAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StorageProvider.Sqlite]];
}

/// <summary>
/// Runs a theory against a throwaway PostgreSQL database; reported as skipped, with the reason, when no server is configured.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresStorageAttribute : DataAttribute
{
    public PostgresStorageAttribute()
    {
        // Computed per run: the variant runs wherever VACDSHOOKS_TEST_POSTGRES is set.
        if (PostgresServer.ConnectionString is null)
        {
            Skip = PostgresServer.SkipReason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StorageProvider.Postgres]];
}

public static class PostgresServer
{
    public const string EnvironmentVariable = "VACDSHOOKS_TEST_POSTGRES";

    public const string SkipReason =
        "PostgreSQL tests need " + EnvironmentVariable + " (the CI script installs PostgreSQL and sets it; locally: source .ci/postgres.sh)";

    public static string? ConnectionString { get; } = NullIfBlank(Environment.GetEnvironmentVariable(EnvironmentVariable));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
