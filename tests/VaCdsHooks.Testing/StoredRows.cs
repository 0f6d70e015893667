using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Testing;

/// <summary>
/// What a test host stored but never shows (audit entries, card feedback), read from its own database through the
/// context factory it registers for its configured provider.
/// </summary>
public static class StoredRows
{
    /// <summary>Audit entries, narrowed by case and actor when given; newest first.</summary>
    public static Task<List<AuditEventRecord>> AuditAsync(IServiceProvider services, string? caseId = null, string? actorUserId = null) =>
        ReadAsync<AuditEventRecord>(services, rows => rows
            .Where(e => (caseId == null || e.CaseId == caseId) && (actorUserId == null || e.ActorUserId == actorUserId))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id));

    /// <summary>The feedback stored on one card of one service.</summary>
    public static Task<List<CardFeedbackRecord>> CardFeedbackAsync(IServiceProvider services, string serviceId, string cardUuid) =>
        ReadAsync<CardFeedbackRecord>(services, rows => rows.Where(f => f.ServiceId == serviceId && f.CardUuid == cardUuid).OrderBy(f => f.Id));

    private static async Task<List<T>> ReadAsync<T>(IServiceProvider services, Func<IQueryable<T>, IQueryable<T>> query)
        where T : class
    {
        await using VaCdsHooksDbContext db = services.GetRequiredService<IOptions<VaCdsHooksStorageOptions>>().Value.ResolvedProvider == StorageProvider.Postgres
            ? services.GetRequiredService<IDbContextFactory<PostgresVaCdsHooksDbContext>>().CreateDbContext()
            : services.GetRequiredService<IDbContextFactory<SqliteVaCdsHooksDbContext>>().CreateDbContext();
        return await query(db.Set<T>()).ToListAsync();
    }
}
