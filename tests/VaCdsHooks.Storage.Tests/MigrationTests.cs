using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class MigrationTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Migrations_create_every_table_on_an_empty_database(StorageProvider provider)
    {
        await using var storage = await databases.CreateEmptyAsync(provider);
        Assert.False(await storage.Services.IsVaCdsHooksStorageReadyAsync());

        await storage.Services.MigrateVaCdsHooksStorageAsync();

        await using var db = await storage.CreateContextAsync();
        var all = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(all);
        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await db.Set<HookExchangeRecord>().CountAsync());
        Assert.Equal(0, await db.Set<CardFeedbackRecord>().CountAsync());
        Assert.Equal(0, await db.Set<CoverageAssertionRecord>().CountAsync());
        Assert.Equal(0, await db.Set<CoverageAssertionRecord>().SelectMany(a => a.Criteria).CountAsync());
        Assert.Equal(0, await db.Set<PriorAuthCaseRecord>().CountAsync());
        Assert.Equal(0, await db.Set<PriorAuthCaseEventRecord>().CountAsync());
        Assert.Equal(0, await db.Set<QuestionnaireResponseRecord>().CountAsync());
        Assert.Equal(0, await db.Set<ReviewDecisionRecord>().CountAsync());
        Assert.Equal(0, await db.Set<AuditEventRecord>().CountAsync());
        Assert.True(await storage.Services.IsVaCdsHooksStorageReadyAsync());
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Migrating_again_keeps_schema_and_data(StorageProvider provider)
    {
        await using var storage = await databases.CreateEmptyAsync(provider);
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        await storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion()]);

        await storage.Services.MigrateVaCdsHooksStorageAsync();

        await using var db = await storage.CreateContextAsync();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(1, await db.Set<HookExchangeRecord>().CountAsync());
        Assert.Equal(1, await db.Set<CoverageAssertionRecord>().CountAsync());
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Instances_migrating_one_database_at_once_all_succeed(StorageProvider provider)
    {
        var first = await databases.CreateEmptyAsync(provider);
        var others = Enumerable.Range(0, 3).Select(_ => databases.OpenAnother(first)).ToList();

        await Task.WhenAll(others.Prepend(first).Select(s => Task.Run(() => s.Services.MigrateVaCdsHooksStorageAsync())));

        await using var db = await first.CreateContextAsync();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await db.Set<HookExchangeRecord>().CountAsync());
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Upgrading_from_the_first_migration_keeps_data_and_can_be_rolled_back_and_reapplied(StorageProvider provider)
    {
        await using var storage = await databases.CreateEmptyAsync(provider);
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        string first;
        await using (var db = await storage.CreateContextAsync())
        {
            var all = db.Database.GetMigrations().ToList();
            first = all.Single(m => m.EndsWith("_InitialCreate", StringComparison.Ordinal));
            Assert.True(all.Count > 1);
        }

        // Data in the tables the first migration made, and in the ones later migrations added.
        var assertion = Samples.Assertion();
        await storage.Writer.WriteAsync(Samples.Exchange() with { RecordBundle = null }, [assertion with { Criteria = [.. assertion.Criteria.Select(c => c with { Flags = [] })] }]);
        var created = await storage.Cases.CreateIfAbsentAsync(Samples.Case(assertion), PriorAuthCaseEventRecord.SystemActor);
        await storage.Responses.SaveReceivedAsync(Samples.Response(created.Case));
        await storage.Decisions.AddAsync(Samples.Decision(created.Case, ReviewDecisionKind.Pend), created.Case.Version + 1);
        await storage.Audit.AppendAsync(Samples.AuditEntry(caseId: created.Case.CaseId));

        // Down to the first schema: later tables (and on PostgreSQL the audit trigger function) go, old rows stay.
        await using (var db = await storage.CreateContextAsync())
        {
            await db.GetService<IMigrator>().MigrateAsync(first);
            Assert.Equal(first, (await db.Database.GetAppliedMigrationsAsync()).Last());
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Set<PriorAuthCaseRecord>().CountAsync());
        }

        // A database of the first schema holding data upgrades to the current one and keeps it.
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        Assert.True(await storage.Services.IsVaCdsHooksStorageReadyAsync());
        var kept = await storage.Assertions.FindAsync(assertion.AssertionId);
        Assert.NotNull(kept);
        Assert.All(kept.Criteria, c => Assert.Empty(c.Flags));
        Assert.Null(await storage.Cases.FindByAssertionAsync(assertion.AssertionId));
    }

    // Needs no server: compares the model with the provider's migration snapshot.
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public void Model_has_no_changes_missing_from_the_migrations(StorageProvider provider)
    {
        using var db = OfflineContext(provider);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} model differs from its migrations; add one with: dotnet ef migrations add <Name> --project src/VaCdsHooks.Storage --context {db.GetType().Name} --output-dir Migrations/{provider}");
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public void Each_provider_sees_only_its_own_migrations(StorageProvider provider)
    {
        using var db = OfflineContext(provider);
        var migrationsAssembly = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrationsAssembly>();

        Assert.NotEmpty(migrationsAssembly.Migrations);
        Assert.All(migrationsAssembly.Migrations.Values, type => Assert.Equal($"VaCdsHooks.Storage.Migrations.{provider}", type.Namespace));
        Assert.Equal($"VaCdsHooks.Storage.Migrations.{provider}", migrationsAssembly.ModelSnapshot!.GetType().Namespace);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public void Database_identifiers_fit_postgres_length_limit_and_are_snake_case(StorageProvider provider)
    {
        using var db = OfflineContext(provider);
        var names = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            names.Add(table.Name);
            names.AddRange(entity.GetProperties().Select(p => p.GetColumnName(table)!));
            names.AddRange(entity.GetKeys().Select(k => k.GetName()!));
            names.AddRange(entity.GetIndexes().Select(i => i.GetDatabaseName()!));
            names.AddRange(entity.GetForeignKeys().Select(f => f.GetConstraintName()!));
        }

        Assert.Contains("hook_exchanges", names);
        Assert.Contains("hook_instance", names);
        Assert.Contains("ux_card_feedback_idempotency_key", names);
        Assert.Contains("prior_auth_cases", names);
        Assert.Contains("prior_auth_case_events", names);
        Assert.Contains("questionnaire_responses", names);
        Assert.Contains("review_decisions", names);
        Assert.Contains("audit_events", names);
        Assert.Contains("ux_questionnaire_responses_idempotency_key", names);
        Assert.Contains("ux_prior_auth_cases_assertion_id", names);
        Assert.All(names, name =>
        {
            Assert.InRange(name.Length, 1, 63);
            Assert.Matches("^[a-z][a-z0-9_]*$", name);
        });
    }

    private static VaCdsHooksDbContext OfflineContext(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => new SqliteVaCdsHooksDbContext(StorageDbContextOptions.ForSqlite("Data Source=:memory:")),
        _ => new PostgresVaCdsHooksDbContext(StorageDbContextOptions.ForPostgres("Host=localhost;Database=unused")),
    };
}
