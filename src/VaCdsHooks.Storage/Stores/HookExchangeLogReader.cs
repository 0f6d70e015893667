using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class HookExchangeLogReader(VaCdsHooksDbContextFactory contexts) : IHookExchangeLogReader
{
    public Task<IReadOnlyList<HookExchangeRecord>> FindByHookInstanceAsync(string hookInstance, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hookInstance);
        return contexts.ReadListAsync<HookExchangeRecord>(
            rows => rows.Where(x => x.HookInstance == hookInstance).OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id), cancellationToken);
    }
}
