using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class ServiceKeyStore(VaCdsHooksDbContextFactory contexts) : IServiceKeyStore
{
    public async Task<string?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var db = contexts.CreateDbContext();
        return await FindAsync(db, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetOrAddAsync(string name, string protectedValue, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(protectedValue);
        await using var db = contexts.CreateDbContext();

        // Parameters from the model's own type mappings, so SQLite's timestamp text format applies here too.
        var entity = db.Model.FindEntityType(typeof(ServiceKeyRow))!;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var parameters = new (string Property, string Name, object Value)[]
            {
                (nameof(ServiceKeyRow.Name), "@name", name),
                (nameof(ServiceKeyRow.ProtectedValue), "@value", protectedValue),
                (nameof(ServiceKeyRow.CreatedAt), "@created", now),
            }
            .Select(p => (object)entity.FindProperty(p.Property)!.GetRelationalTypeMapping().CreateParameter(command, p.Name, p.Value, nullable: false))
            .ToArray();

        // Insert-if-absent: of instances starting together, the first insert wins and all read that one back.
        await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {ServiceKeyConfiguration.Table} (name, protected_value, created_at) VALUES (@name, @value, @created) ON CONFLICT (name) DO NOTHING",
            parameters,
            cancellationToken).ConfigureAwait(false);
        return await FindAsync(db, name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Service key '{name}' was stored but cannot be read back.");
    }

    private static Task<string?> FindAsync(VaCdsHooksDbContext db, string name, CancellationToken cancellationToken) =>
        db.Set<ServiceKeyRow>().AsNoTracking().Where(k => k.Name == name).Select(k => k.ProtectedValue).FirstOrDefaultAsync(cancellationToken);
}
