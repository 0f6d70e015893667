using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Writing;

/// <summary>
/// The hook log's group commit (<see cref="GroupCommitQueue{TItem, TResult}"/>): a bounded queue, so a full one makes
/// callers wait and a log row for dispute resolution is never dropped; batches of up to
/// <see cref="VaCdsHooksStorageOptions.WriterMaxBatchSize"/> calls share one SaveChanges.
/// </summary>
internal sealed class GroupCommitHookRecordWriter : IHookRecordWriter, IHookRecordWriterDiagnostics, IHostedService, IAsyncDisposable
{
    private readonly VaCdsHooksDbContextFactory _contexts;
    private readonly GroupCommitQueue<HookWrite, bool> _queue;

    public GroupCommitHookRecordWriter(VaCdsHooksDbContextFactory contexts, IOptions<VaCdsHooksStorageOptions> options, ILogger<GroupCommitHookRecordWriter> logger)
    {
        _contexts = contexts;
        _queue = new("hook record writer", options.Value.WriterMaxBatchSize, options.Value.WriterQueueCapacity, SaveAsync, logger, isolate: ex => ex is DbUpdateException);
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

        await _queue.EnqueueAsync(new HookWrite(exchange, assertions), cancellationToken).ConfigureAwait(false);
    }

    public HookRecordWriterStatistics GetStatistics() => _queue.GetStatistics();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops taking writes and commits what is already queued, unless the host's shutdown timeout runs out first.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _queue.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async Task<bool[]> SaveAsync(IReadOnlyList<HookWrite> writes)
    {
        // CancellationToken.None: once a batch is taken it is committed or failed, never abandoned half-way.
        using var turn = await _contexts.BulkWriteTurnAsync().ConfigureAwait(false);
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
        return [.. writes.Select(_ => true)];
    }

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

    private sealed record HookWrite(HookExchangeRecord Exchange, IReadOnlyList<CoverageAssertionRecord> Assertions);
}
