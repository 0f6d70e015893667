using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Writing;

/// <summary>
/// Group commit: callers queue into a bounded channel and wait; one background loop takes everything queued
/// (up to <see cref="VaCdsHooksStorageOptions.WriterMaxBatchSize"/>) and commits it in one SaveChanges, so
/// concurrent hook calls share a single fsync. No timer: while one commit is in flight the next batch fills
/// by itself, so a lone call is never delayed and a busy server commits in large batches.
/// </summary>
internal sealed partial class GroupCommitHookRecordWriter : IHookRecordWriter, IHookRecordWriterDiagnostics, IHostedService, IAsyncDisposable
{
    private readonly VaCdsHooksDbContextFactory _contexts;
    private readonly ILogger<GroupCommitHookRecordWriter> _logger;
    private readonly Channel<PendingWrite> _queue;
    private readonly int _maxBatchSize;
    private readonly Task _writerLoop;
    private long _writesCommitted;
    private long _writesFailed;
    private long _commits;
    private int _largestBatch;

    public GroupCommitHookRecordWriter(VaCdsHooksDbContextFactory contexts, IOptions<VaCdsHooksStorageOptions> options, ILogger<GroupCommitHookRecordWriter> logger)
    {
        _contexts = contexts;
        _logger = logger;
        _maxBatchSize = options.Value.WriterMaxBatchSize;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.Value.WriterQueueCapacity)
        {
            // Back-pressure: a full queue makes callers wait; a log row for dispute resolution is never dropped.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        // Started here rather than in StartAsync so writes work even before (or without) a host start.
        _writerLoop = Task.Run(RunWriterLoopAsync);
    }

    public async Task WriteAsync(HookExchangeRecord exchange, IReadOnlyList<CoverageAssertionRecord> assertions, CancellationToken cancellationToken = default)
    {
        // Checked on the caller's thread, so bad input is reported to the caller that sent it and never queued.
        Check(exchange);
        ArgumentNullException.ThrowIfNull(assertions);
        foreach (var assertion in assertions)
        {
            Check(assertion);
        }

        var pending = new PendingWrite(exchange, assertions);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException("The hook record writer has shut down and accepts no more writes.", ex);
        }

        await pending.Committed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public HookRecordWriterStatistics GetStatistics() => new(
        Interlocked.Read(ref _writesCommitted),
        Interlocked.Read(ref _writesFailed),
        Interlocked.Read(ref _commits),
        Volatile.Read(ref _largestBatch),
        _queue.Reader.Count);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops taking writes and commits what is already queued, unless the host's shutdown timeout runs out first.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _writerLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
    }

    private async Task RunWriterLoopAsync()
    {
        var batch = new List<PendingWrite>(_maxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatchSize && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count > _largestBatch)
            {
                Volatile.Write(ref _largestBatch, batch.Count);
            }

            await CommitBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitBatchAsync(IReadOnlyList<PendingWrite> batch)
    {
        try
        {
            await SaveAsync(batch).ConfigureAwait(false);
            Complete(batch, failure: null);
            return;
        }
        catch (DbUpdateException ex) when (batch.Count > 1)
        {
            // A constraint violation in one call (say, a reused assertion id) must not fail the calls it happened
            // to share a transaction with: commit each on its own so only the offending caller sees the error.
            LogBatchRetriedOneByOne(_logger, batch.Count, ex);
        }
        catch (Exception ex)
        {
            LogBatchFailed(_logger, batch.Count, ex);
            Complete(batch, ex);
            return;
        }

        foreach (var pending in batch)
        {
            await CommitBatchAsync([pending]).ConfigureAwait(false);
        }
    }

    private async Task SaveAsync(IReadOnlyList<PendingWrite> writes)
    {
        // CancellationToken.None: once a batch is taken it is committed or failed, never abandoned half-way.
        await using var db = _contexts.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var write in writes)
        {
            // A copy per attempt: the database assigns the id, and the caller's record stays as it was.
            db.Add(write.Exchange with { Id = 0 });
            foreach (var assertion in write.Assertions)
            {
                AddAssertion(db, assertion);
            }
        }

        // One SaveChanges = one transaction = one fsync for the whole batch.
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void Complete(IReadOnlyList<PendingWrite> writes, Exception? failure)
    {
        if (failure is null)
        {
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _writesCommitted, writes.Count);
        }
        else
        {
            Interlocked.Add(ref _writesFailed, writes.Count);
        }

        foreach (var pending in writes)
        {
            _ = failure is null ? pending.Committed.TrySetResult() : pending.Committed.TrySetException(failure);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "A batch of {Count} hook writes failed as a whole; committing them one by one to isolate the failing write.")]
    private static partial void LogBatchRetriedOneByOne(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Committing {Count} hook write(s) failed; the callers receive the error.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    /// <summary>Tracks the assertion as new, numbering its criteria rows (their key is assertion id + position).</summary>
    private static void AddAssertion(DbContext db, CoverageAssertionRecord assertion)
    {
        var ordinal = 0;
        db.ChangeTracker.TrackGraph(assertion, node =>
        {
            if (node.Entry.Entity is AssertionCriterionRecord)
            {
                node.Entry.Property(CoverageAssertionConfiguration.CriterionOrdinal).CurrentValue = ordinal++;
            }

            node.Entry.State = EntityState.Added;
        });
    }

    private static void Check(HookExchangeRecord exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentException.ThrowIfNullOrEmpty(exchange.ServiceId);
        ArgumentException.ThrowIfNullOrEmpty(exchange.Hook);
        ArgumentException.ThrowIfNullOrEmpty(exchange.HookInstance);
        ArgumentNullException.ThrowIfNull(exchange.RequestBody);
    }

    private static void Check(CoverageAssertionRecord assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentException.ThrowIfNullOrEmpty(assertion.AssertionId);
        ArgumentException.ThrowIfNullOrEmpty(assertion.PatientReference);
        ArgumentException.ThrowIfNullOrEmpty(assertion.OrderReference);
        ArgumentException.ThrowIfNullOrEmpty(assertion.PolicyVersion);
        ArgumentException.ThrowIfNullOrEmpty(assertion.Covered);
        ArgumentException.ThrowIfNullOrEmpty(assertion.EvidenceHash);
        foreach (var criterion in assertion.Criteria)
        {
            ArgumentException.ThrowIfNullOrEmpty(criterion.CriterionId);
            ArgumentException.ThrowIfNullOrEmpty(criterion.Status);
            _ = WireCode<CriterionKind>.Of(criterion.Kind);
        }
    }

    private sealed record PendingWrite(HookExchangeRecord Exchange, IReadOnlyList<CoverageAssertionRecord> Assertions)
    {
        // RunContinuationsAsynchronously keeps callers' continuations off the single writer loop.
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
