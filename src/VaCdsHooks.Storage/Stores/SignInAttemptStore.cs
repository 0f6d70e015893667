using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class SignInAttemptStore(VaCdsHooksDbContextFactory contexts) : ISignInAttemptStore
{
    private const string Table = VaCdsHooksDbContext.SignInAttemptsTable;

    // Insert-if-absent or count on: one statement per counter, atomic on SQLite and PostgreSQL alike. A locked counter
    // is left untouched (the WHERE fails and nothing is returned); a counter whose window has passed starts over at 1.
    // Reaching the limit locks it; that attempt itself is still checked, the next ones are not.
    // Parameters: {0} key, {1} limit, {2} now, {3} lock or window end.
    private const string CountSql = $$"""
        INSERT INTO {{Table}} (attempt_key, failures, window_ends_at_unix_ms, locked_until_unix_ms)
        VALUES ({0}, 1, {3}, CASE WHEN {1} <= 1 THEN {3} ELSE NULL END)
        ON CONFLICT (attempt_key) DO UPDATE SET
            failures = CASE WHEN {{Table}}.window_ends_at_unix_ms < {2} THEN 1 ELSE {{Table}}.failures + 1 END,
            window_ends_at_unix_ms = CASE WHEN {{Table}}.window_ends_at_unix_ms < {2} THEN {3} ELSE {{Table}}.window_ends_at_unix_ms END,
            locked_until_unix_ms = CASE
                WHEN (CASE WHEN {{Table}}.window_ends_at_unix_ms < {2} THEN 1 ELSE {{Table}}.failures + 1 END) >= {1} THEN {3}
                ELSE {{Table}}.locked_until_unix_ms END
        WHERE {{Table}}.locked_until_unix_ms IS NULL OR {{Table}}.locked_until_unix_ms <= {2}
        RETURNING failures AS "Value"
        """;

    // Expired counters are deleted now and then by whichever attempt comes along.
    private const int CleanupEvery = 256;
    private int _calls;

    public async Task<DateTimeOffset?> TryCountAsync(IReadOnlyList<SignInAttemptCounter> counters, TimeSpan lockout, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var nowMs = now.ToUnixTimeMilliseconds();
        var untilMs = (now + lockout).ToUnixTimeMilliseconds();
        await using var db = contexts.CreateDbContext();
        var attempts = db.Set<SignInAttemptRow>();

        // One transaction for all counters: a refusal by the second must not leave the first counted. The row
        // locks are taken in the caller's order every time, so two attempts cannot wait on each other.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var counter in counters)
            {
                // Not composed over, so EF sends the statement as written.
                var counted = await db.Database.SqlQueryRaw<int>(CountSql, counter.Key, counter.Limit, nowMs, untilMs)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                if (counted.Count == 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    var keys = counters.Select(c => c.Key).ToList();
                    var lockedUntil = await attempts.Where(x => keys.Contains(x.AttemptKey) && x.LockedUntilUnixMs > nowMs)
                        .MaxAsync(x => x.LockedUntilUnixMs, cancellationToken).ConfigureAwait(false);
                    return lockedUntil is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Interlocked.Increment(ref _calls) % CleanupEvery == 0)
        {
            await attempts.Where(x => x.WindowEndsAtUnixMs < nowMs && (x.LockedUntilUnixMs == null || x.LockedUntilUnixMs <= nowMs))
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    public Task GiveBackAsync(SignInAttemptCounter counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        return contexts.RunAsync(db => db.Set<SignInAttemptRow>().Where(x => x.AttemptKey == counter.Key && x.Failures > 0).ExecuteUpdateAsync(
            s => s.SetProperty(x => x.Failures, x => x.Failures - 1)
                .SetProperty(x => x.LockedUntilUnixMs, x => x.Failures - 1 >= counter.Limit ? x.LockedUntilUnixMs : null),
            cancellationToken));
    }

    public Task ClearAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return contexts.RunAsync(db => db.Set<SignInAttemptRow>().Where(x => x.AttemptKey == key).ExecuteDeleteAsync(cancellationToken));
    }
}
