using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Bound from the <c>Storage</c> section; the connection string comes from <c>ConnectionStrings:VaCdsHooks</c>.
/// </summary>
public sealed class VaCdsHooksStorageOptions
{
    public const string SectionName = "Storage";
    public const string ConnectionStringName = "VaCdsHooks";
    public const int DefaultSqliteBusyTimeoutMilliseconds = 5000;

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>, case-insensitive.</summary>
    public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

    /// <summary>
    /// From <c>ConnectionStrings:VaCdsHooks</c>. For SQLite, when absent: <c>Data Source={contentRoot}/data/vacdshooks.db</c>;
    /// a relative Data Source is taken relative to the content root. Required for PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How many hook writes may wait for the writer before callers are held back (never dropped).</summary>
    public int WriterQueueCapacity { get; set; } = 1024;

    /// <summary>Most hook writes committed in one transaction.</summary>
    public int WriterMaxBatchSize { get; set; } = 256;

    public int SqliteBusyTimeoutMilliseconds { get; set; } = DefaultSqliteBusyTimeoutMilliseconds;

    /// <summary>The parsed <see cref="Provider"/>; throws with the same message validation reports.</summary>
    public StorageProvider ResolvedProvider =>
        TryParseProvider(Provider, out var provider) ? provider : throw new OptionsValidationException(
            nameof(VaCdsHooksStorageOptions), typeof(VaCdsHooksStorageOptions), [UnknownProviderMessage(Provider)]);

    // Names only: Enum.TryParse alone would also accept numbers such as "1".
    internal static bool TryParseProvider(string? value, out StorageProvider provider) =>
        Enum.TryParse(value?.Trim(), ignoreCase: true, out provider) && Enum.GetNames<StorageProvider>().Contains(value!.Trim(), StringComparer.OrdinalIgnoreCase);

    internal static string UnknownProviderMessage(string? value) =>
        $"Storage:Provider '{value}' is not supported. Use 'Sqlite' (the default: an embedded database file) or 'Postgres' (needs ConnectionStrings:{ConnectionStringName}).";

    /// <summary>The Data Source of a SQLite connection string when it names a file path (not memory, not a URI).</summary>
    internal static string? SqliteFilePath(SqliteConnectionStringBuilder builder) =>
        builder.DataSource is { Length: > 0 } dataSource && dataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory
        && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? dataSource : null;

    /// <summary>Takes the connection string, fills in the SQLite default and anchors a relative SQLite path at the content root.</summary>
    internal void Complete(string? connectionString, string contentRootPath)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            ConnectionString = connectionString;
        }

        if (!TryParseProvider(Provider, out var provider) || provider != StorageProvider.Sqlite)
        {
            return;
        }

        var builder = new SqliteConnectionStringBuilder();
        try
        {
            builder.ConnectionString = string.IsNullOrWhiteSpace(ConnectionString) ? $"Data Source={Path.Combine("data", "vacdshooks.db")}" : ConnectionString;
        }
        catch (ArgumentException)
        {
            return; // Reported by the validator.
        }

        if (SqliteFilePath(builder) is { } path && !Path.IsPathRooted(path))
        {
            builder.DataSource = Path.Combine(contentRootPath, path);
            ConnectionString = builder.ToString();
        }
    }
}

internal sealed class VaCdsHooksStorageOptionsValidator : IValidateOptions<VaCdsHooksStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, VaCdsHooksStorageOptions options)
    {
        var failures = new List<string>();
        if (!VaCdsHooksStorageOptions.TryParseProvider(options.Provider, out var provider))
        {
            failures.Add(VaCdsHooksStorageOptions.UnknownProviderMessage(options.Provider));
        }
        else if (provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"Storage:Provider is 'Postgres' but ConnectionStrings:{VaCdsHooksStorageOptions.ConnectionStringName} is not set.");
        }
        else if (provider == StorageProvider.Sqlite)
        {
            try
            {
                _ = new SqliteConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"ConnectionStrings:{VaCdsHooksStorageOptions.ConnectionStringName} is not a valid SQLite connection string: {ex.Message}");
            }
        }

        failures.AddRange(new (bool Failed, string Message)[]
            {
                (options.WriterQueueCapacity < 1, "Storage:WriterQueueCapacity must be at least 1."),
                (options.WriterMaxBatchSize < 1, "Storage:WriterMaxBatchSize must be at least 1."),
                (options.SqliteBusyTimeoutMilliseconds < 0, "Storage:SqliteBusyTimeoutMilliseconds must not be negative."),
            }.Where(c => c.Failed).Select(c => c.Message));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
