using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Jobs;

/// <summary>Where background jobs live: Hangfire in memory for the embedded default, PostgreSQL in production.</summary>
public enum JobStorageKind
{
    InMemory,
    Postgres,
}

/// <summary>
/// Background jobs (Hangfire). Jobs take ids only and are safe to run twice; the durable state they work on is in
/// our database, so jobs lost with in-memory storage are re-enqueued from it at start-up.
/// </summary>
public static class JobsComposition
{
    public const string Section = "Jobs";

    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var storageProvider = configuration["Storage:Provider"];
        var configured = configuration[Section + ":Storage"];
        var kind = configured is { Length: > 0 }
            ? Enum.Parse<JobStorageKind>(configured, ignoreCase: true)
            : string.Equals(storageProvider, "Postgres", StringComparison.OrdinalIgnoreCase) ? JobStorageKind.Postgres : JobStorageKind.InMemory;

        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(provider.GetRequiredService<JobStorage>()));

        // Registered after AddHangfire so these win: this host's own storage, and a client bound to it rather than to
        // Hangfire's process-wide JobStorage.Current; two hosts in one process must not enqueue into each other's.
        services.AddSingleton<JobStorage>(_ => kind == JobStorageKind.Postgres
            ? new PostgreSqlStorage(new NpgsqlConnectionFactory(PostgresConnectionString(configuration), new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions())
            : new Hangfire.InMemory.InMemoryStorage());
        services.AddSingleton<IBackgroundJobClient>(provider => new BackgroundJobClient(provider.GetRequiredService<JobStorage>()));

        services.AddHangfireServer(options =>
        {
            options.WorkerCount = configuration.GetValue(Section + ":WorkerCount", Math.Max(2, Environment.ProcessorCount));
            options.ServerName = $"vacdshooks-{Environment.MachineName}";
        });

        return services;
    }

    private static string PostgresConnectionString(IConfiguration configuration) =>
        configuration[Section + ":ConnectionString"] is { Length: > 0 } jobs
            ? jobs
            : configuration.GetConnectionString("VaCdsHooks")
              ?? throw new InvalidOperationException("Jobs:Storage=Postgres needs ConnectionStrings:VaCdsHooks or Jobs:ConnectionString.");
}
