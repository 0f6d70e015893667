using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class HookExchangeLogReader(VaCdsHooksDbContextFactory contexts) : IHookExchangeLogReader
{
    public const int MaxPageSize = 500;

    public Task<IReadOnlyList<HookExchangeRecord>> FindByHookInstanceAsync(string hookInstance, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hookInstance);
        return contexts.ReadListAsync<HookExchangeRecord>(
            rows => rows.Where(x => x.HookInstance == hookInstance).OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id), cancellationToken);
    }

    public async Task<HookExchangePage> PageByPatientAsync(string patientId, int pageSize, HookExchangePageCursor? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        var rows = await contexts.ReadListAsync<HookExchangeRecord>(
            exchanges =>
            {
                exchanges = exchanges.Where(x => x.PatientId == patientId);
                if (after is not null)
                {
                    var (receivedAt, id) = (after.ReceivedAt, after.Id);
                    exchanges = exchanges.Where(x => x.ReceivedAt < receivedAt || (x.ReceivedAt == receivedAt && x.Id < id));
                }

                // One extra row tells whether another page exists without a COUNT.
                return exchanges.OrderByDescending(x => x.ReceivedAt).ThenByDescending(x => x.Id).Take(pageSize + 1);
            },
            cancellationToken).ConfigureAwait(false);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? new HookExchangePageCursor(items[^1].ReceivedAt, items[^1].Id) : null;
        return new HookExchangePage(items, next);
    }
}
