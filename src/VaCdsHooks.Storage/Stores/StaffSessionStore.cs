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
        await using var db = contexts.CreateDbContext();
        db.Add(new StaffSessionRow(id, staffUserId, CreatedAt: now, LastSeenAt: now, expiresAt, EndedAt: null));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        if (Interlocked.Increment(ref _starts) % CleanupEvery == 0)
        {
            var cutoff = now - KeptAfterEnd;
            await db.Set<StaffSessionRow>()
                .Where(s => s.ExpiresAt < cutoff || (s.EndedAt != null && s.EndedAt < cutoff))
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return id;
    }

    public async Task<bool> RenewAsync(string sessionId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionId))
        {
            return false;
        }

        await using var db = contexts.CreateDbContext();
        // Check and slide in one statement on the primary key: nothing can end the session between the two.
        var renewed = await db.Set<StaffSessionRow>()
            .Where(s => s.Id == sessionId && s.EndedAt == null && s.ExpiresAt > now)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.LastSeenAt, now).SetProperty(x => x.ExpiresAt, expiresAt),
                cancellationToken).ConfigureAwait(false);
        return renewed == 1;
    }

    public async Task EndAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionId))
        {
            return;
        }

        await using var db = contexts.CreateDbContext();
        await db.Set<StaffSessionRow>()
            .Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken).ConfigureAwait(false);
    }
}
