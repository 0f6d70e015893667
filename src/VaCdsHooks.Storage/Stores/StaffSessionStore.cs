using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class StaffSessionStore(VaCdsHooksDbContextFactory contexts) : IStaffSessionStore
{
    // Old rows are removed now and then by a sign-in, so no request pays for a sweep; a day's grace keeps them for questions.
    private const int CleanupEvery = 64;
    private static readonly TimeSpan KeptAfterEnd = TimeSpan.FromDays(1);
    private int _starts;

    public async Task<string> StartAsync(string staffUserId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(staffUserId);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await contexts.AddAsync(new StaffSessionRow(id, staffUserId, CreatedAt: now, LastSeenAt: now, expiresAt, EndedAt: null), cancellationToken).ConfigureAwait(false);

        if (Interlocked.Increment(ref _starts) % CleanupEvery == 0)
        {
            var cutoff = now - KeptAfterEnd;
            await contexts.RunAsync(db => db.Set<StaffSessionRow>()
                .Where(s => s.ExpiresAt < cutoff || (s.EndedAt != null && s.EndedAt < cutoff))
                .ExecuteDeleteAsync(cancellationToken)).ConfigureAwait(false);
        }

        return id;
    }

    public async Task<bool> RenewAsync(string sessionId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        // Check and slide in one statement on the primary key: nothing can end the session between the two.
        !string.IsNullOrEmpty(sessionId) && await contexts.RunAsync(db => db.Set<StaffSessionRow>()
            .Where(s => s.Id == sessionId && s.EndedAt == null && s.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now).SetProperty(x => x.ExpiresAt, expiresAt), cancellationToken)).ConfigureAwait(false) == 1;

    public Task EndAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        string.IsNullOrEmpty(sessionId) ? Task.CompletedTask : contexts.RunAsync(db => db.Set<StaffSessionRow>()
            .Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken));
}
