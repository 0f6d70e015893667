using Hangfire;
using Hangfire.PostgreSql;
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

        services.AddHangfire((provider, hangfire) =>
        {
            hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();

            if (kind == JobStorageKind.Postgres)
            {
                var connectionString = configuration[Section + ":ConnectionString"] is { Length: > 0 } jobs
                    ? jobs
                    : configuration.GetConnectionString("VaCdsHooks")
                      ?? throw new InvalidOperationException("Jobs:Storage=Postgres needs ConnectionStrings:VaCdsHooks or Jobs:ConnectionString.");
                hangfire.UsePostgreSqlStorage(options => options.UseNpgsqlConnection(connectionString));
            }
            else
            {
                hangfire.UseInMemoryStorage();
            }
        });

        services.AddHangfireServer(options =>
        {
            options.WorkerCount = configuration.GetValue(Section + ":WorkerCount", Math.Max(2, Environment.ProcessorCount));
            options.ServerName = $"vacdshooks-{Environment.MachineName}";
        });

        return services;
    }
}
