using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Stores;
using VaCdsHooks.Storage.Writing;

namespace VaCdsHooks.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stores (hook log, feedback, assertions, prior-auth cases, QuestionnaireResponses, review decisions,
    /// audit log), the group-commit hook writer and pooled contexts for the configured provider.
    /// Config: <c>Storage:Provider</c> (<c>Sqlite</c> default | <c>Postgres</c>), <c>ConnectionStrings:VaCdsHooks</c>,
    /// <c>Storage:WriterQueueCapacity</c>, <c>Storage:WriterMaxBatchSize</c>, <c>Storage:SqliteBusyTimeoutMilliseconds</c>.
    /// Invalid settings fail host start-up (ValidateOnStart). Call <see cref="MigrateVaCdsHooksStorageAsync"/> before serving.
    /// </summary>
    public static IServiceCollection AddVaCdsHooksStorage(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(contentRootPath);

        // BindConfiguration reads the container's IConfiguration: the host's, or this one in a bare container.
        services.TryAddSingleton(configuration);
        services.AddOptions<VaCdsHooksStorageOptions>()
            .BindConfiguration(VaCdsHooksStorageOptions.SectionName)
            .PostConfigure<IConfiguration>((options, settings) =>
                options.Complete(settings.GetConnectionString(VaCdsHooksStorageOptions.ConnectionStringName), contentRootPath))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<VaCdsHooksStorageOptions>, VaCdsHooksStorageOptionsValidator>();

        // Both are registered; only the configured one is ever resolved (see VaCdsHooksDbContextFactory).
        services.AddPooledDbContextFactory<SqliteVaCdsHooksDbContext>((sp, builder) =>
        {
            var options = sp.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value;
            StorageDbContextOptions.ConfigureSqlite(builder, options.ConnectionString!, options.SqliteBusyTimeoutMilliseconds);
        });
        services.AddPooledDbContextFactory<PostgresVaCdsHooksDbContext>((sp, builder) =>
            StorageDbContextOptions.ConfigurePostgres(builder, sp.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value.ConnectionString!));
        services.AddSingleton<VaCdsHooksDbContextFactory>();

        services.AddSingleton<GroupCommitHookRecordWriter>();
        services.AddSingleton<IHookRecordWriter>(sp => sp.GetRequiredService<GroupCommitHookRecordWriter>());
        services.AddSingleton<IHookRecordWriterDiagnostics>(sp => sp.GetRequiredService<GroupCommitHookRecordWriter>());
        // As a hosted service the writer drains its queue on graceful shutdown, before the container is disposed.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<GroupCommitHookRecordWriter>());

        services.AddSingleton<IHookExchangeLogReader, HookExchangeLogReader>();
        services.AddSingleton<ICardFeedbackStore, CardFeedbackStore>();
        services.AddSingleton<ICoverageAssertionStore, CoverageAssertionStore>();
        services.AddSingleton<IPriorAuthCaseStore, PriorAuthCaseStore>();
        services.AddSingleton<IQuestionnaireResponseStore, QuestionnaireResponseStore>();
        services.AddSingleton<IReviewDecisionStore, ReviewDecisionStore>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<ITokenUseStore, TokenUseStore>();
        services.AddSingleton<IStaffSessionStore, StaffSessionStore>();
        services.AddSingleton<ISignInAttemptStore, SignInAttemptStore>();
        services.AddSingleton<IServiceKeyStore, ServiceKeyStore>();
        return services;
    }

    /// <summary>
    /// Applies pending migrations of the configured provider; a no-op when the schema is current. Safe with several
    /// instances starting at once: on SQLite EF Core holds its __EFMigrationsLock row for the whole run; on PostgreSQL
    /// EF's lock lasts only one migration's transaction, so a session advisory lock is held around the whole run
    /// instead. Either way an instance that waited finds nothing pending and does nothing.
    /// </summary>
    public static async Task MigrateVaCdsHooksStorageAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var contexts = services.GetRequiredService<VaCdsHooksDbContextFactory>();
        await using var db = contexts.CreateDbContext();
        if (contexts.Provider != StorageProvider.Postgres)
        {
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Opened here so EF runs the migrations on this same session, the one holding the advisory lock.
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({PostgresMigrationLockKey})", cancellationToken).ConfigureAwait(false);
            try
            {
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Not cancellable: the pooled session must not go back to the pool still holding the lock.
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({PostgresMigrationLockKey})", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Advisory lock id for migrations ("VACDSHKS" in ASCII); any constant works if nothing else uses it.</summary>
    private const long PostgresMigrationLockKey = 0x5641434453484B53;

    /// <summary>Whether the database answers and has no pending migrations; for readiness checks.</summary>
    public static async Task<bool> IsVaCdsHooksStorageReadyAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var contexts = services.GetRequiredService<VaCdsHooksDbContextFactory>();
        await using var db = contexts.CreateDbContext();
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var pending = await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false);
            return !pending.Any();
        }
        catch (Exception ex) when (ex is SqliteException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }
}
