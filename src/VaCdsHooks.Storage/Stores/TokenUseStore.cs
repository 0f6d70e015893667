using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Writing;

namespace VaCdsHooks.Storage.Stores;

/// <summary>A row of token_uses: a one-time token (EHR hook JWT, client assertion) seen until it expires; the key is a fingerprint, never the token.</summary>
internal sealed record TokenUse(string TokenKey, long ExpiresAtUnixMs);

/// <summary>
/// Every hook call records its token before anything else happens, so this is on the hot path. Calls go through a
/// group commit: concurrent calls share a transaction (one fsync on SQLite) instead of taking turns for the write
/// lock. Each insert still answers for itself, in the order queued.
/// </summary>
internal sealed class TokenUseStore : ITokenUseStore, IAsyncDisposable
{
    // Insert-if-absent, or take over an expired row: atomic on SQLite and PostgreSQL alike.
    private const string RecordSql =
        $"INSERT INTO {VaCdsHooksDbContext.TokenUsesTable} (token_key, expires_at_unix_ms) VALUES ({{0}}, {{1}}) "
        + $"ON CONFLICT (token_key) DO UPDATE SET expires_at_unix_ms = excluded.expires_at_unix_ms WHERE {VaCdsHooksDbContext.TokenUsesTable}.expires_at_unix_ms <= {{2}}";

    // Expired rows are deleted now and then by whichever batch comes along, so no request pays for a full sweep.
    private const int CleanupEvery = 512;
    private const int MaxBatchSize = 256;

    private readonly VaCdsHooksDbContextFactory _contexts;
    private readonly GroupCommitQueue<PendingUse, bool> _queue;
    private long _recorded;

    public TokenUseStore(VaCdsHooksDbContextFactory contexts)
    {
        _contexts = contexts;
        // Unbounded: each item is a few bytes and its caller is waiting. Failures are not logged here: the callers
        // decide what a database outage means (the replay cache falls back to memory).
        _queue = new("token-use store", MaxBatchSize, capacity: null, RecordAsync, NullLogger.Instance);
    }

    public async Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenKey);
        return await _queue.EnqueueAsync(new PendingUse(tokenKey, expiresAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds()), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async Task<bool[]> RecordAsync(IReadOnlyList<PendingUse> batch)
    {
        // CancellationToken.None: a batch once taken is committed or failed as a whole, never abandoned half-way.
        using var turn = await _contexts.BulkWriteTurnAsync().ConfigureAwait(false);
        await using var db = _contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        var recorded = new bool[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var use = batch[i];
            recorded[i] = await db.Database.ExecuteSqlRawAsync(RecordSql, [use.TokenKey, use.ExpiresAtUnixMs, use.NowUnixMs], CancellationToken.None).ConfigureAwait(false) > 0;
        }

        var before = _recorded;
        _recorded += batch.Count;
        if (before / CleanupEvery != _recorded / CleanupEvery)
        {
            var now = batch[^1].NowUnixMs;
            await db.Set<TokenUse>().Where(x => x.ExpiresAtUnixMs <= now).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return recorded;
    }

    private sealed record PendingUse(string TokenKey, long ExpiresAtUnixMs, long NowUnixMs);
}
