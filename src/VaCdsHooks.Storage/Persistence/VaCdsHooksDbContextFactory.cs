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

    private static Func<CancellationToken, Task<VaCdsHooksDbContext>> Bind<TContext>(IDbContextFactory<TContext> factory)
        where TContext : VaCdsHooksDbContext =>
        async cancellationToken => await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
}
