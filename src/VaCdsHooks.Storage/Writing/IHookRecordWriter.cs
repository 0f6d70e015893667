namespace VaCdsHooks.Storage;

/// <summary>The hook hot path's write: the exchange log row plus the coverage assertions issued in it.</summary>
public interface IHookRecordWriter
{
    /// <summary>
    /// Completes when the exchange and its assertions are committed (durably: the commit's fsync has returned);
    /// faults with the database's exception when they could not be. Writes from concurrent calls share a
    /// transaction, so a call costs at most one commit and usually a fraction of one.
    /// Cancelling before the write is queued stores nothing; cancelling after only stops the wait and the write may still commit.
    /// </summary>
    Task WriteAsync(HookExchangeRecord exchange, IReadOnlyList<CoverageAssertionRecord> assertions, CancellationToken cancellationToken = default);
}

/// <summary>Counters of the group-commit writer, published as metrics (vacdshooks.hook_log.*).</summary>
public interface IHookRecordWriterDiagnostics
{
    HookRecordWriterStatistics GetStatistics();
}

/// <param name="WritesCommitted">Calls whose data is committed.</param>
/// <param name="WritesFailed">Calls that faulted.</param>
/// <param name="Commits">Successful transactions; fewer than <paramref name="WritesCommitted"/> when writes were grouped.</param>
/// <param name="LargestBatch">Most calls taken in one batch.</param>
/// <param name="Queued">Calls waiting for the writer right now.</param>
public readonly record struct HookRecordWriterStatistics(long WritesCommitted, long WritesFailed, long Commits, int LargestBatch, int Queued);
