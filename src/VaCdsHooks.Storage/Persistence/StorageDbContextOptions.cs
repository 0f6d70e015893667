using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Provider set-up shared by the DI registration, the design-time factories and the tests, so all three build the same model.</summary>
internal static class StorageDbContextOptions
{
    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString, int busyTimeoutMilliseconds)
    {
        EnsureSqliteFolderExists(connectionString);
        return builder
            .UseSqlite(connectionString)
            .AddInterceptors(new SqliteConnectionSetup(busyTimeoutMilliseconds))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }

    // Reads do not track by default: most are read-only, and the few that update say AsTracking().
    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);

    public static DbContextOptions<SqliteVaCdsHooksDbContext> ForSqlite(string connectionString, int busyTimeoutMilliseconds = VaCdsHooksStorageOptions.DefaultSqliteBusyTimeoutMilliseconds) =>
        (DbContextOptions<SqliteVaCdsHooksDbContext>)ConfigureSqlite(new DbContextOptionsBuilder<SqliteVaCdsHooksDbContext>(), connectionString, busyTimeoutMilliseconds).Options;

    public static DbContextOptions<PostgresVaCdsHooksDbContext> ForPostgres(string connectionString) =>
        (DbContextOptions<PostgresVaCdsHooksDbContext>)ConfigurePostgres(new DbContextOptionsBuilder<PostgresVaCdsHooksDbContext>(), connectionString).Options;

    private static void EnsureSqliteFolderExists(string connectionString)
    {
        if (VaCdsHooksStorageOptions.SqliteFilePath(new SqliteConnectionStringBuilder(connectionString)) is { } path
            && Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }
}

/// <summary>
/// Per-connection SQLite settings. WAL lets readers run beside the single writer; busy_timeout makes a second
/// process (or a migration) wait for the write lock instead of failing at once. synchronous stays at its
/// default (FULL) so a returned commit survives power loss; group commit is what keeps fsyncs rare.
/// </summary>
internal sealed class SqliteConnectionSetup(int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    // journal_mode=WAL is stored in the database file, so asking once per process is enough.
    private int _walEnsured;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SetupSql();
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SetupSql();
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private string SetupSql()
    {
        var busy = $"PRAGMA busy_timeout = {busyTimeoutMilliseconds};";
        return Interlocked.Exchange(ref _walEnsured, 1) == 0 ? busy + " PRAGMA journal_mode = WAL;" : busy;
    }
}
