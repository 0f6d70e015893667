using Microsoft.Extensions.Options;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Jobs;

/// <summary>Background jobs (section <c>Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary><c>InMemory</c> or <c>Postgres</c>; unset: jobs live where the data lives (<c>Storage:Provider</c>).</summary>
    public string? Storage { get; set; }

    /// <summary>The Hangfire database; unset: the service's own when that is PostgreSQL (<c>ConnectionStrings:VaCdsHooks</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Jobs run at once by this instance.</summary>
    public int WorkerCount { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>How soon a retried job runs again after its delay (Hangfire's default is 15 s).</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where jobs live for this configuration; null when <see cref="Storage"/> names no known kind.</summary>
    public JobStorageKind? KindWith(VaCdsHooksStorageOptions storage)
    {
        if (string.IsNullOrWhiteSpace(Storage))
        {
            return IsPostgres(storage) ? JobStorageKind.Postgres : JobStorageKind.InMemory;
        }

        // Enum.TryParse alone would also accept numbers such as "1".
        return Enum.GetValues<JobStorageKind>().Cast<JobStorageKind?>()
            .FirstOrDefault(kind => string.Equals(kind.ToString(), Storage.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The PostgreSQL connection string for Hangfire: <see cref="ConnectionString"/>, else the service's own if it is PostgreSQL.</summary>
    public string? PostgresConnectionStringWith(VaCdsHooksStorageOptions storage) =>
        !string.IsNullOrWhiteSpace(ConnectionString) ? ConnectionString
        : IsPostgres(storage) ? storage.ConnectionString
        : null;

    private static bool IsPostgres(VaCdsHooksStorageOptions storage) =>
        string.Equals(storage.Provider.Trim(), nameof(StorageProvider.Postgres), StringComparison.OrdinalIgnoreCase);
}

/// <summary>Start-up validation of <c>Jobs</c>; each message names its key.</summary>
internal sealed class JobsOptionsValidation(IOptions<VaCdsHooksStorageOptions> storage) : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var errors = new List<string>();
        if (options.WorkerCount is < 1 or > 100)
        {
            errors.Add($"{JobsOptions.Section}:{nameof(JobsOptions.WorkerCount)} must be between 1 and 100; got {options.WorkerCount}.");
        }

        if (options.SchedulePollingInterval < TimeSpan.FromMilliseconds(100) || options.SchedulePollingInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{JobsOptions.Section}:{nameof(JobsOptions.SchedulePollingInterval)} must be between 00:00:00.1 and 00:05:00; got {options.SchedulePollingInterval}.");
        }

        var kind = options.KindWith(storage.Value);
        if (kind is null)
        {
            errors.Add($"{JobsOptions.Section}:{nameof(JobsOptions.Storage)} '{options.Storage}' is not supported. Use 'InMemory' or 'Postgres'.");
        }
        else if (kind == JobStorageKind.Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionStringWith(storage.Value)))
        {
            errors.Add($"{JobsOptions.Section}:{nameof(JobsOptions.Storage)}=Postgres needs {JobsOptions.Section}:{nameof(JobsOptions.ConnectionString)} (or Storage:Provider=Postgres with ConnectionStrings:{VaCdsHooksStorageOptions.ConnectionStringName}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
