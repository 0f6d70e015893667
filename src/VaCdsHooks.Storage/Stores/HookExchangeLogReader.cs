using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class HookExchangeLogReader(VaCdsHooksDbContextFactory contexts) : IHookExchangeLogReader
{
    public const int MaxPageSize = 500;

    public async Task<IReadOnlyList<HookExchangeRecord>> FindByHookInstanceAsync(string hookInstance, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hookInstance);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<HookExchangeEntity>().AsNoTracking()
            .Where(x => x.HookInstance == hookInstance)
            .OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    public async Task<HookExchangePage> PageByPatientAsync(string patientId, int pageSize, HookExchangePageCursor? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Set<HookExchangeEntity>().AsNoTracking().Where(x => x.PatientId == patientId);
        if (after is not null)
        {
            var receivedAt = after.ReceivedAt;
            var id = after.Id;
            query = query.Where(x => x.ReceivedAt < receivedAt || (x.ReceivedAt == receivedAt && x.Id < id));
        }

        // One extra row tells whether another page exists without a COUNT.
        var rows = await query
            .OrderByDescending(x => x.ReceivedAt).ThenByDescending(x => x.Id)
            .Take(pageSize + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var hasMore = rows.Count > pageSize;
        var items = rows.Take(pageSize).Select(RecordMapping.ToRecord).ToList();
        var next = hasMore ? new HookExchangePageCursor(items[^1].ReceivedAt, items[^1].Id) : null;
        return new HookExchangePage(items, next);
    }
}
