using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class StorageOptionsTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Fact]
    public void Unknown_provider_fails_start_up_validation_with_the_accepted_values()
    {
        using var services = Build(new() { ["Storage:Provider"] = "MySql" }, databases.Folder);

        // IStartupValidator is what the host runs for ValidateOnStart.
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Storage:Provider 'MySql' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Sqlite'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Postgres'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_without_a_connection_string_fails_start_up_validation()
    {
        using var services = Build(new() { ["Storage:Provider"] = "Postgres" }, databases.Folder);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ConnectionStrings:VaCdsHooks is not set", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres", StorageProvider.Postgres)]
    [InlineData("POSTGRES", StorageProvider.Postgres)]
    [InlineData("sqlite", StorageProvider.Sqlite)]
    [InlineData(" Sqlite ", StorageProvider.Sqlite)]
    public void Provider_name_is_case_insensitive(string configured, StorageProvider expected)
    {
        using var services = Build(new() { ["Storage:Provider"] = configured, ["ConnectionStrings:VaCdsHooks"] = expected == StorageProvider.Postgres ? "Host=db;Database=x" : null }, databases.Folder);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(expected, services.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value.ResolvedProvider);
    }

    [Fact]
    public void A_numeric_provider_value_is_rejected()
    {
        using var services = Build(new() { ["Storage:Provider"] = "1" }, databases.Folder);

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public async Task Default_is_a_sqlite_file_under_the_content_root_created_on_first_run_in_wal_mode()
    {
        var contentRoot = Path.Combine(databases.Folder, "content-root");
        await using var services = Build([], contentRoot);
        var options = services.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value;
        var expectedFile = Path.Combine(contentRoot, "data", "vacdshooks.db");

        Assert.Equal(StorageProvider.Sqlite, options.ResolvedProvider);
        Assert.Equal(expectedFile, new SqliteConnectionStringBuilder(options.ConnectionString).DataSource);
        Assert.False(Directory.Exists(Path.Combine(contentRoot, "data")));

        await services.MigrateVaCdsHooksStorageAsync();

        Assert.True(File.Exists(expectedFile));
        await using var connection = new SqliteConnection($"Data Source={expectedFile}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public void A_relative_sqlite_path_is_taken_relative_to_the_content_root()
    {
        var contentRoot = Path.Combine(databases.Folder, "relative-root");
        using var services = Build(new() { ["ConnectionStrings:VaCdsHooks"] = "Data Source=state/app.db" }, contentRoot);

        var options = services.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value;

        Assert.Equal(Path.Combine(contentRoot, "state", "app.db"), new SqliteConnectionStringBuilder(options.ConnectionString).DataSource);
    }

    [Fact]
    public void A_malformed_sqlite_connection_string_fails_start_up_validation()
    {
        using var services = Build(new() { ["ConnectionStrings:VaCdsHooks"] = "Data Source=app.db;No Such Keyword=1" }, databases.Folder);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("is not a valid SQLite connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_settings_are_bound_and_validated()
    {
        using var services = Build(new() { ["Storage:WriterQueueCapacity"] = "0", ["Storage:WriterMaxBatchSize"] = "-3" }, databases.Folder);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Storage:WriterQueueCapacity must be at least 1.", error.Failures);
        Assert.Contains("Storage:WriterMaxBatchSize must be at least 1.", error.Failures);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, string contentRoot) =>
        new ServiceCollection()
            .AddLogging()
            .AddVaCdsHooksStorage(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), contentRoot)
            .BuildServiceProvider();
}
