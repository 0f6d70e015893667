using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
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
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidation>();

        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(provider.GetRequiredService<ILoggerFactory>())))
            .UseStorage(provider.GetRequiredService<JobStorage>()));

        // Registered after AddHangfire so these win: this host's own storage, filters and a client bound to them rather
        // than to Hangfire's process-wide JobStorage.Current and GlobalJobFilters; two hosts in one process must not
        // enqueue into (or trace) each other's jobs.
        services.AddSingleton<JobStorage>(provider =>
        {
            var jobs = provider.GetRequiredService<IOptions<JobsOptions>>().Value;
            var storage = provider.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value;
            return jobs.KindWith(storage) == JobStorageKind.Postgres
                ? new PostgreSqlStorage(new NpgsqlConnectionFactory(jobs.PostgresConnectionStringWith(storage)!, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions())
                : new Hangfire.InMemory.InMemoryStorage();
        });
        services.AddSingleton<IJobFilterProvider>(_ => new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new JobTracingFilter() }));
        services.AddSingleton<IBackgroundJobClient>(provider => new BackgroundJobClient(provider.GetRequiredService<JobStorage>(), provider.GetRequiredService<IJobFilterProvider>()));

        services.AddHangfireServer((provider, options) =>
        {
            var jobs = provider.GetRequiredService<IOptions<JobsOptions>>().Value;

            // Jobs are built from this host's services. Hangfire's own default captures the process-wide
            // JobActivator.Current, which another host starting at the same moment may have just replaced.
            options.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>());
            options.FilterProvider = provider.GetRequiredService<IJobFilterProvider>();
            options.WorkerCount = jobs.WorkerCount;
            options.ServerName = $"vacdshooks-{Environment.MachineName}";
            options.SchedulePollingInterval = jobs.SchedulePollingInterval;
        });

        return services;
    }
}
