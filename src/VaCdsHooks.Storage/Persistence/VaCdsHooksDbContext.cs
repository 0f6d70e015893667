using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// The one model shared by both providers. Each provider has a derived context
/// (<see cref="SqliteVaCdsHooksDbContext"/>, <see cref="PostgresVaCdsHooksDbContext"/>) so each gets its own migrations.
/// Table names are plural snake_case nouns (hook_exchanges, prior_auth_cases, review_decisions, audit_events, ...);
/// PostgreSQL users can query without quoting.
/// </summary>
public abstract class VaCdsHooksDbContext : DbContext, IDataProtectionKeyContext
{
    // The tables raw SQL names too; every other table is named once, in its configuration.
    internal const string TokenUsesTable = "token_uses";
    internal const string SignInAttemptsTable = "sign_in_attempts";
    internal const string ServiceKeysTable = "service_keys";

    protected VaCdsHooksDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The data-protection key ring, shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // One IEntityTypeConfiguration per table (Persistence/EntityTypeConfigurations.cs).
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VaCdsHooksDbContext).Assembly);
        ApplySnakeCaseNames(modelBuilder);
    }

    /// <summary>Names columns, keys and indexes in snake_case with predictable prefixes (pk_, fk_, ix_, ux_).</summary>
    private static void ApplySnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            // Columns named in a configuration keep their names (the JSON list columns end in _json).
            foreach (var property in entity.GetProperties().Where(p => p.FindAnnotation(RelationalAnnotationNames.ColumnName) is null))
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            entity.FindPrimaryKey()?.SetName($"pk_{table}");
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName($"fk_{table}_{foreignKey.PrincipalEntityType.GetTableName()}");
            }

            // Indexes named explicitly keep their names (PostgreSQL cuts identifiers at 63 bytes).
            foreach (var index in entity.GetIndexes().Where(i => i.FindAnnotation(RelationalAnnotationNames.Name) is null))
            {
                var columns = string.Join('_', index.Properties.Select(p => ToSnakeCase(p.Name)));
                index.SetDatabaseName($"{(index.IsUnique ? "ux" : "ix")}_{table}_{columns}");
            }
        }
    }

    private static string ToSnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
