using Microsoft.EntityFrameworkCore.Design;

namespace VaCdsHooks.Storage.Persistence;

// Used only by `dotnet ef migrations ...`, so no host is needed. The connection strings are never opened for `migrations add`.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteVaCdsHooksDbContext>
{
    public SqliteVaCdsHooksDbContext CreateDbContext(string[] args) =>
        new(StorageDbContextOptions.ForSqlite("Data Source=vacdshooks-design.db"));
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresVaCdsHooksDbContext>
{
    public PostgresVaCdsHooksDbContext CreateDbContext(string[] args) =>
        new(StorageDbContextOptions.ForPostgres(
            Environment.GetEnvironmentVariable("VACDSHOOKS_DESIGN_POSTGRES") ?? "Host=localhost;Database=vacdshooks_design;Username=postgres"));
}
