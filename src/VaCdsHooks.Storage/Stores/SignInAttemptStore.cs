using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class SignInAttemptStore(VaCdsHooksDbContextFactory contexts) : ISignInAttemptStore
{
    private const string Table = SignInAttemptConfiguration.Table;

    // Insert-if-absent or count on: one statement per counter, atomic on SQLite and PostgreSQL alike. A locked counter
    // is left untouched (the WHERE fails and nothing is returned); a counter whose window has passed starts over at 1.
    // Reaching the limit locks it; that attempt itself is still checked, the next ones are not.
    private const string CountSql = $"""
        INSERT INTO {Table} (attempt_key, failures, window_ends_at_unix_ms, locked_until_unix_ms)
        VALUES (@key, 1, @until, CASE WHEN @limit <= 1 THEN @until ELSE NULL END)
        ON CONFLICT (attempt_key) DO UPDATE SET
            failures = CASE WHEN {Table}.window_ends_at_unix_ms < @now THEN 1 ELSE {Table}.failures + 1 END,
            window_ends_at_unix_ms = CASE WHEN {Table}.window_ends_at_unix_ms < @now THEN @until ELSE {Table}.window_ends_at_unix_ms END,
            locked_until_unix_ms = CASE
                WHEN (CASE WHEN {Table}.window_ends_at_unix_ms < @now THEN 1 ELSE {Table}.failures + 1 END) >= @limit THEN @until
                ELSE {Table}.locked_until_unix_ms END
        WHERE {Table}.locked_until_unix_ms IS NULL OR {Table}.locked_until_unix_ms <= @now
        RETURNING failures
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
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            bool counted;

            // One transaction for all counters: a refusal by the second must not leave the first counted. The row
            // locks are taken in the caller's order every time, so two attempts cannot wait on each other.
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                counted = true;
                foreach (var counter in counters)
                {
                    await using var command = Command(connection, transaction, CountSql, ("@key", counter.Key), ("@limit", counter.Limit), ("@now", nowMs), ("@until", untilMs));
                    if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null or DBNull)
                    {
                        counted = false;
                        break;
                    }
                }

                if (counted)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (!counted)
            {
                return await LockEndAsync(connection, counters, nowMs, cancellationToken).ConfigureAwait(false) ?? now;
            }

            if (Interlocked.Increment(ref _calls) % CleanupEvery == 0)
            {
                await using var cleanup = Command(
                    connection,
                    null,
                    $"DELETE FROM {Table} WHERE window_ends_at_unix_ms < @now AND (locked_until_unix_ms IS NULL OR locked_until_unix_ms <= @now)",
                    ("@now", nowMs));
                await cleanup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public async Task GiveBackAsync(SignInAttemptCounter counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counter);
        await using var db = contexts.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(
            $"UPDATE {Table} SET failures = failures - 1, "
            + "locked_until_unix_ms = CASE WHEN failures - 1 >= {1} THEN locked_until_unix_ms ELSE NULL END "
            + "WHERE attempt_key = {0} AND failures > 0",
            [counter.Key, counter.Limit],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var db = contexts.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM {Table} WHERE attempt_key = {{0}}", [key], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When the latest lock among the counters ends; null if none is locked any more.</summary>
    private static async Task<DateTimeOffset?> LockEndAsync(DbConnection connection, IReadOnlyList<SignInAttemptCounter> counters, long nowMs, CancellationToken cancellationToken)
    {
        var keys = counters.Select((c, i) => ($"@k{i}", (object)c.Key)).ToList();
        await using var command = Command(
            connection,
            null,
            $"SELECT MAX(locked_until_unix_ms) FROM {Table} WHERE locked_until_unix_ms > @now AND attempt_key IN ({string.Join(", ", keys.Select(k => k.Item1))})",
            [("@now", nowMs), .. keys]);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
