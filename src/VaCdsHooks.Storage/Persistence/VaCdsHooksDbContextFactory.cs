using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// Hands out pooled contexts of whichever provider is configured, typed as the shared base so stores stay provider-neutral.
/// </summary>
internal sealed class VaCdsHooksDbContextFactory
{
    private readonly Func<CancellationToken, Task<VaCdsHooksDbContext>> _create;

    public VaCdsHooksDbContextFactory(IOptions<VaCdsHooksStorageOptions> options, IServiceProvider services)
    {
        Provider = options.Value.ResolvedProvider;
        _create = Provider switch
        {
            StorageProvider.Sqlite => Bind(services.GetRequiredService<IDbContextFactory<SqliteVaCdsHooksDbContext>>()),
            StorageProvider.Postgres => Bind(services.GetRequiredService<IDbContextFactory<PostgresVaCdsHooksDbContext>>()),
            _ => throw new InvalidOperationException($"No context for provider {Provider}."),
        };
    }

    public StorageProvider Provider { get; }

    public Task<VaCdsHooksDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => _create(cancellationToken);

    /// <summary>The first row of <paramref name="query"/> over <typeparamref name="T"/>'s table, on a context of its own.</summary>
    public async Task<T?> ReadFirstAsync<T>(Func<IQueryable<T>, IQueryable<T>> query, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await query(db.Set<T>()).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of <paramref name="query"/> over <typeparamref name="T"/>'s table, on a context of its own.</summary>
    public async Task<IReadOnlyList<T>> ReadListAsync<T>(Func<IQueryable<T>, IQueryable<T>> query, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await query(db.Set<T>()).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Func<CancellationToken, Task<VaCdsHooksDbContext>> Bind<TContext>(IDbContextFactory<TContext> factory)
        where TContext : VaCdsHooksDbContext =>
        async cancellationToken => await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
}
