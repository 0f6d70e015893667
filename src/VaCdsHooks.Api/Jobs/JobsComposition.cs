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
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(provider.GetRequiredService<ILoggerFactory>())))
            .UseStorage(provider.GetRequiredService<JobStorage>()));

        // Registered after AddHangfire so these win: this host's own storage, and a client bound to it rather than to
        // Hangfire's process-wide JobStorage.Current; two hosts in one process must not enqueue into each other's.
        // Configuration is read when the storage is first needed, so every configuration source (tests included) counts.
        services.AddSingleton<JobStorage>(provider =>
        {
            var settings = provider.GetRequiredService<IConfiguration>();
            return KindOf(settings) == JobStorageKind.Postgres
                ? new PostgreSqlStorage(new NpgsqlConnectionFactory(PostgresConnectionString(settings), new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions())
                : new Hangfire.InMemory.InMemoryStorage();
        });
        services.AddSingleton<IBackgroundJobClient>(provider => new BackgroundJobClient(provider.GetRequiredService<JobStorage>()));

        services.AddHangfireServer((provider, options) =>
        {
            // Jobs are built from this host's services. Hangfire's own default captures the process-wide
            // JobActivator.Current, which another host starting at the same moment may have just replaced.
            options.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>());
            options.WorkerCount = configuration.GetValue(Section + ":WorkerCount", Math.Max(2, Environment.ProcessorCount));
            options.ServerName = $"vacdshooks-{Environment.MachineName}";

            // How soon a retried job runs again after its delay (Hangfire's default is 15 s).
            options.SchedulePollingInterval = configuration.GetValue(Section + ":SchedulePollingInterval", TimeSpan.FromSeconds(2));
        });

        return services;
    }

    /// <summary>Jobs:Storage when set; otherwise jobs live where the data lives (Storage:Provider).</summary>
    public static JobStorageKind KindOf(IConfiguration configuration)
    {
        var configured = configuration[Section + ":Storage"];
        if (configured is { Length: > 0 })
        {
            return Enum.TryParse<JobStorageKind>(configured, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
                ? kind
                : throw new InvalidOperationException($"Jobs:Storage '{configured}' is not supported. Use 'InMemory' or 'Postgres'.");
        }

        return string.Equals(configuration["Storage:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase) ? JobStorageKind.Postgres : JobStorageKind.InMemory;
    }

    private static string PostgresConnectionString(IConfiguration configuration) =>
        configuration[Section + ":ConnectionString"] is { Length: > 0 } jobs
            ? jobs
            : configuration.GetConnectionString("VaCdsHooks")
              ?? throw new InvalidOperationException("Jobs:Storage=Postgres needs ConnectionStrings:VaCdsHooks or Jobs:ConnectionString.");
}
