using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// Hands out pooled contexts of whichever provider is configured, typed as the shared base so stores stay provider-neutral.
/// </summary>
internal sealed class VaCdsHooksDbContextFactory
{
    private readonly Func<VaCdsHooksDbContext> _create;

    // SQLite takes one writer at a time. The group-commit loops (hook log, token uses) take turns here, where a
    // release wakes the next at once, instead of in SQLite's busy handler, which sleeps in growing steps and let
    // hook calls queue for hundreds of milliseconds under load. PostgreSQL needs no turns.
    private readonly SemaphoreSlim? _sqliteWriter;

    public VaCdsHooksDbContextFactory(IOptions<VaCdsHooksStorageOptions> options, IServiceProvider services)
    {
        Provider = options.Value.ResolvedProvider;
        _create = Provider switch
        {
            StorageProvider.Sqlite => services.GetRequiredService<IDbContextFactory<SqliteVaCdsHooksDbContext>>().CreateDbContext,
            StorageProvider.Postgres => services.GetRequiredService<IDbContextFactory<PostgresVaCdsHooksDbContext>>().CreateDbContext,
            _ => throw new InvalidOperationException($"No context for provider {Provider}."),
        };
        _sqliteWriter = Provider == StorageProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;
    }

    /// <summary>This process's turn to write in bulk (SQLite); dispose to give it up. Immediate on PostgreSQL.</summary>
    public async ValueTask<IDisposable?> BulkWriteTurnAsync()
    {
        if (_sqliteWriter is null)
        {
            return null;
        }

        await _sqliteWriter.WaitAsync().ConfigureAwait(false);
        return new WriteTurn(_sqliteWriter);
    }

    private sealed class WriteTurn(SemaphoreSlim writer) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                writer.Release();
            }
        }
    }

    public StorageProvider Provider { get; }

    /// <summary>A pooled context; renting one does no I/O (the connection opens with the first command), so no await is needed.</summary>
    public VaCdsHooksDbContext CreateDbContext() => _create();

    /// <summary>Runs <paramref name="work"/> on a context of its own, disposed when the work is done.</summary>
    public async Task<TResult> RunAsync<TResult>(Func<VaCdsHooksDbContext, Task<TResult>> work)
    {
        await using var db = CreateDbContext();
        return await work(db).ConfigureAwait(false);
    }

    /// <summary>The first row of <paramref name="query"/> over <typeparamref name="T"/>'s table, on a context of its own.</summary>
    public Task<T?> ReadFirstAsync<T>(Func<IQueryable<T>, IQueryable<T>> query, CancellationToken cancellationToken)
        where T : class => RunAsync(db => query(db.Set<T>()).FirstOrDefaultAsync(cancellationToken));

    /// <summary>The rows of <paramref name="query"/> over <typeparamref name="T"/>'s table, on a context of its own.</summary>
    public Task<IReadOnlyList<T>> ReadListAsync<T>(Func<IQueryable<T>, IQueryable<T>> query, CancellationToken cancellationToken)
        where T : class => RunAsync<IReadOnlyList<T>>(async db => await query(db.Set<T>()).ToListAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Inserts <paramref name="row"/> on a context of its own and returns it with its store-generated values.</summary>
    public Task<T> AddAsync<T>(T row, CancellationToken cancellationToken)
        where T : class => RunAsync(async db =>
        {
            db.Add(row);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return row;
        });
}
