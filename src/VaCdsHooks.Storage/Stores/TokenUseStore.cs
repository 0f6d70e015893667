using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

/// <summary>A row of token_uses: a one-time token (EHR hook JWT, client assertion) seen until it expires; the key is a fingerprint, never the token.</summary>
internal sealed record TokenUse(string TokenKey, long ExpiresAtUnixMs);

/// <summary>
/// Every hook call records its token before anything else happens, so this is on the hot path. Calls queue and
/// one loop records everything queued in one transaction: concurrent calls share a commit (one fsync on SQLite)
/// instead of taking turns for the write lock. Each insert still answers for itself, in the order queued.
/// </summary>
internal sealed class TokenUseStore : ITokenUseStore, IAsyncDisposable
{
    // Insert-if-absent, or take over an expired row: atomic on SQLite and PostgreSQL alike.
    private const string RecordSql =
        $"INSERT INTO {VaCdsHooksDbContext.TokenUsesTable} (token_key, expires_at_unix_ms) VALUES ({{0}}, {{1}}) "
        + $"ON CONFLICT (token_key) DO UPDATE SET expires_at_unix_ms = excluded.expires_at_unix_ms WHERE {VaCdsHooksDbContext.TokenUsesTable}.expires_at_unix_ms <= {{2}}";

    private const string CleanupSql = $"DELETE FROM {VaCdsHooksDbContext.TokenUsesTable} WHERE expires_at_unix_ms <= {{0}}";

    // Expired rows are deleted now and then by whichever batch comes along, so no request pays for a full sweep.
    private const int CleanupEvery = 512;
    private const int MaxBatchSize = 256;

    private readonly VaCdsHooksDbContextFactory _contexts;
    private readonly Channel<PendingUse> _queue = Channel.CreateUnbounded<PendingUse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _recorded;

    public TokenUseStore(VaCdsHooksDbContextFactory contexts)
    {
        _contexts = contexts;
        _loop = Task.Run(RunAsync);
    }

    public async Task<bool> TryRecordAsync(string tokenKey, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenKey);
        var pending = new PendingUse(tokenKey, expiresAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The token-use store has shut down.");
        }

        return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingUse>(MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                var recorded = await RecordAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(recorded[i]);
                }
            }
            catch (Exception ex)
            {
                // The callers decide what a database outage means (the replay cache falls back to memory).
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    private async Task<bool[]> RecordAsync(List<PendingUse> batch)
    {
        // CancellationToken.None: a batch once taken is committed or failed as a whole, never abandoned half-way.
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
            await db.Database.ExecuteSqlRawAsync(CleanupSql, [batch[^1].NowUnixMs], CancellationToken.None).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return recorded;
    }

    private sealed record PendingUse(string TokenKey, long ExpiresAtUnixMs, long NowUnixMs)
    {
        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
