using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace VaCdsHooks.Storage.Tests.Infrastructure;

/// <summary>
/// Per test class: a temp folder for SQLite files and throwaway PostgreSQL databases, all removed at the end.
/// <see cref="MigratedAsync"/> gives the class's shared, migrated database; <see cref="CreateEmptyAsync"/> a fresh unmigrated one.
/// </summary>
public sealed class TestDatabases : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "vacdshooks-storage-tests", Guid.NewGuid().ToString("N"));
    private readonly List<StorageUnderTest> _opened = [];
    private readonly List<string> _postgresDatabases = [];
    private readonly Dictionary<StorageProvider, StorageUnderTest> _migrated = [];
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Folder => _folder;

    public async Task<StorageUnderTest> MigratedAsync(StorageProvider provider)
    {
        await _lock.WaitAsync();
        try
        {
            if (!_migrated.TryGetValue(provider, out var storage))
            {
                storage = await CreateEmptyCoreAsync(provider, null);
                await storage.Services.MigrateVaCdsHooksStorageAsync();
                _migrated[provider] = storage;
            }

            return storage;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A new, empty (unmigrated) database with its own service provider.</summary>
    public async Task<StorageUnderTest> CreateEmptyAsync(StorageProvider provider, IReadOnlyDictionary<string, string?>? settings = null)
    {
        await _lock.WaitAsync();
        try
        {
            return await CreateEmptyCoreAsync(provider, settings);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Another instance (own service provider, own writer) on the same database, as a second server process would be.</summary>
    public StorageUnderTest OpenAnother(StorageUnderTest existing)
    {
        var storage = StorageUnderTest.Open(existing.Provider, existing.Settings, _folder);
        lock (_opened)
        {
            _opened.Add(storage);
        }

        return storage;
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var storage in _opened)
        {
            await storage.DisposeAsync();
        }

        if (_postgresDatabases.Count > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresServer.ConnectionString);
            await admin.OpenAsync();
            foreach (var database in _postgresDatabases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not turn a green run red; the OS temp cleaner takes it later.
        }
    }

    private async Task<StorageUnderTest> CreateEmptyCoreAsync(StorageProvider provider, IReadOnlyDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?> { ["Storage:Provider"] = provider.ToString() };
        if (provider == StorageProvider.Sqlite)
        {
            settings["ConnectionStrings:VaCdsHooks"] = $"Data Source={Path.Combine(_folder, $"db-{_opened.Count}-{Guid.NewGuid():N}.db")}";
        }
        else
        {
            var server = PostgresServer.ConnectionString ?? throw new InvalidOperationException(PostgresServer.SkipReason);
            var database = $"vacdshooks_test_{Guid.NewGuid():N}";
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
            }

            _postgresDatabases.Add(database);
            settings["ConnectionStrings:VaCdsHooks"] = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var storage = StorageUnderTest.Open(provider, settings, _folder);
        lock (_opened)
        {
            _opened.Add(storage);
        }

        return storage;
    }
}

/// <summary>One "server instance": a service provider configured exactly as the host would configure it.</summary>
public sealed class StorageUnderTest : IAsyncDisposable
{
    private bool _disposed;

    private StorageUnderTest(StorageProvider provider, IReadOnlyDictionary<string, string?> settings, ServiceProvider services)
    {
        Provider = provider;
        Settings = settings;
        Services = services;
    }

    public StorageProvider Provider { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public ServiceProvider Services { get; }

    public IHookRecordWriter Writer => Services.GetRequiredService<IHookRecordWriter>();

    public IHookRecordWriterDiagnostics WriterDiagnostics => Services.GetRequiredService<IHookRecordWriterDiagnostics>();

    public IHookExchangeLogReader ExchangeLog => Services.GetRequiredService<IHookExchangeLogReader>();

    public ICardFeedbackStore Feedback => Services.GetRequiredService<ICardFeedbackStore>();

    public ICoverageAssertionStore Assertions => Services.GetRequiredService<ICoverageAssertionStore>();

    public IPriorAuthCaseStore Cases => Services.GetRequiredService<IPriorAuthCaseStore>();

    public IQuestionnaireResponseStore Responses => Services.GetRequiredService<IQuestionnaireResponseStore>();

    public IReviewDecisionStore Decisions => Services.GetRequiredService<IReviewDecisionStore>();

    public IAuditLog Audit => Services.GetRequiredService<IAuditLog>();

    public ITokenUseStore TokenUses => Services.GetRequiredService<ITokenUseStore>();

    /// <summary>Writes a coverage assertion (as a hook answer would) and opens a case for it.</summary>
    public async Task<PriorAuthCaseRecord> CreateCaseAsync(
        PriorAuthCaseStatus status = PriorAuthCaseStatus.AwaitingDocumentation,
        DateTimeOffset? createdAt = null,
        string? indicationLabel = null,
        string? patientReference = null,
        string? orderReference = null)
    {
        var assertion = Samples.Assertion(patientReference: patientReference, orderReference: orderReference, createdAt: createdAt);
        await Writer.WriteAsync(Samples.Exchange(), [assertion]);
        var creation = await Cases.CreateIfAbsentAsync(Samples.Case(assertion, status, createdAt, indicationLabel), PriorAuthCaseEventRecord.SystemActor);
        Assert.True(creation.Created);
        return creation.Case;
    }

    public Task<Persistence.VaCdsHooksDbContext> CreateContextAsync() =>
        Task.FromResult(Services.GetRequiredService<Persistence.VaCdsHooksDbContextFactory>().CreateDbContext());

    /// <summary>The rows of <typeparamref name="T"/>'s table that <paramref name="query"/> selects, read as stored.</summary>
    public async Task<List<T>> RowsAsync<T>(Func<IQueryable<T>, IQueryable<T>> query)
        where T : class
    {
        await using var db = await CreateContextAsync();
        return await query(db.Set<T>()).ToListAsync();
    }

    public static StorageUnderTest Open(StorageProvider provider, IReadOnlyDictionary<string, string?> settings, string contentRoot)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddVaCdsHooksStorage(configuration, contentRoot)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new StorageUnderTest(provider, settings, services);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await Services.DisposeAsync();
        }
    }
}
