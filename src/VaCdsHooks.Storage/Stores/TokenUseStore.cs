using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

/// <summary>A row of token_uses: a one-time token (EHR hook JWT, client assertion) seen until it expires; the key is a fingerprint, never the token.</summary>
internal sealed record TokenUse(string TokenKey, long ExpiresAtUnixMs);

internal sealed class TokenUseStore(VaCdsHooksDbContextFactory contexts) : ITokenUseStore
{
    // Insert-if-absent, or take over an expired row: one round trip, atomic on SQLite and PostgreSQL alike.
    private const string RecordSql =
        $"INSERT INTO {VaCdsHooksDbContext.TokenUsesTable} (token_key, expires_at_unix_ms) VALUES ({{0}}, {{1}}) "
        + $"ON CONFLICT (token_key) DO UPDATE SET expires_at_unix_ms = excluded.expires_at_unix_ms WHERE {VaCdsHooksDbContext.TokenUsesTable}.expires_at_unix_ms <= {{2}}";

    private const string CleanupSql = $"DELETE FROM {VaCdsHooksDbContext.TokenUsesTable} WHERE expires_at_unix_ms <= {{0}}";

    // Expired rows are deleted now and then by whichever call comes along, so no request pays for a full sweep.
    private const int CleanupEvery = 512;
    private int _calls;

    public async Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenKey);
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var db = contexts.CreateDbContext();
        var recorded = await db.Database.ExecuteSqlRawAsync(RecordSql, [tokenKey, expiresAt.ToUnixTimeMilliseconds(), nowMs], cancellationToken).ConfigureAwait(false);
        if (Interlocked.Increment(ref _calls) % CleanupEvery == 0)
        {
            await db.Database.ExecuteSqlRawAsync(CleanupSql, [nowMs], cancellationToken).ConfigureAwait(false);
        }

        return recorded > 0;
    }
}
