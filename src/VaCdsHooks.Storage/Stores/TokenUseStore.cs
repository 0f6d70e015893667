using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class TokenUseStore(VaCdsHooksDbContextFactory contexts) : ITokenUseStore
{
    // Expired rows are deleted now and then by whichever call comes along, so no request pays for a full sweep.
    private const int CleanupEvery = 512;
    private int _calls;

    public async Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenKey);
        var expires = expiresAt.ToUnixTimeMilliseconds();
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);

        // Insert-if-absent, or take over an expired row: one round trip, atomic on SQLite and PostgreSQL alike.
        var recorded = await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {VaCdsHooksDbContext.TokenUsesTable} (token_key, expires_at_unix_ms) VALUES ({{0}}, {{1}}) "
            + $"ON CONFLICT (token_key) DO UPDATE SET expires_at_unix_ms = excluded.expires_at_unix_ms WHERE {VaCdsHooksDbContext.TokenUsesTable}.expires_at_unix_ms <= {{2}}",
            [tokenKey, expires, nowMs],
            cancellationToken).ConfigureAwait(false);

        if (Interlocked.Increment(ref _calls) % CleanupEvery == 0)
        {
            await db.Database.ExecuteSqlRawAsync(
                $"DELETE FROM {VaCdsHooksDbContext.TokenUsesTable} WHERE expires_at_unix_ms <= {{0}}", [nowMs], cancellationToken).ConfigureAwait(false);
        }

        return recorded > 0;
    }
}
