using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class ServiceKeyStore(VaCdsHooksDbContextFactory contexts) : IServiceKeyStore
{
    public Task<string?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return contexts.RunAsync(db => FindAsync(db, name, cancellationToken));
    }

    public async Task<string> GetOrAddAsync(string name, string protectedValue, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(protectedValue);
        await using var db = contexts.CreateDbContext();

        // Insert-if-absent: of instances starting together, the first insert wins and all read that one back.
        await MappedInsert.For<ServiceKeyRow>(db, ifAbsent: "pk_" + VaCdsHooksDbContext.ServiceKeysTable)
            .ExecuteAsync(db, new ServiceKeyRow(name, protectedValue, now), cancellationToken).ConfigureAwait(false);
        return await FindAsync(db, name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Service key '{name}' was stored but cannot be read back.");
    }

    private static Task<string?> FindAsync(VaCdsHooksDbContext db, string name, CancellationToken cancellationToken) =>
        db.Set<ServiceKeyRow>().Where(k => k.Name == name).Select(k => k.ProtectedValue).FirstOrDefaultAsync(cancellationToken);
}
