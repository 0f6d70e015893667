using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Writing;

/// <summary>
/// The hook log's group commit (<see cref="GroupCommitQueue{TItem, TResult}"/>): a bounded queue, so a full one makes
/// callers wait and a log row for dispute resolution is never dropped; batches of up to
/// <see cref="VaCdsHooksStorageOptions.WriterMaxBatchSize"/> calls share one transaction.
/// </summary>
internal sealed class GroupCommitHookRecordWriter : IHookRecordWriter, IHookRecordWriterDiagnostics, IHostedService, IAsyncDisposable
{
    private readonly VaCdsHooksDbContextFactory _contexts;
    private readonly GroupCommitQueue<HookWrite, bool> _queue;

    public GroupCommitHookRecordWriter(VaCdsHooksDbContextFactory contexts, IOptions<VaCdsHooksStorageOptions> options, ILogger<GroupCommitHookRecordWriter> logger)
    {
        _contexts = contexts;
        _queue = new("hook record writer", options.Value.WriterMaxBatchSize, options.Value.WriterQueueCapacity, SaveAsync, logger, isolate: StorageErrors.IsConstraintViolation);
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
        var none = CancellationToken.None;
        using var turn = await _contexts.BulkWriteTurnAsync().ConfigureAwait(false);
        await using var db = _contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(none).ConfigureAwait(false);
        await using var exchanges = await MappedInsert.For<HookExchangeRecord>(db, returningKey: true).PrepareAsync(db, none).ConfigureAwait(false);
        await using var charts = await MappedInsert.ForOwned<HookExchangeRecord>(db, nameof(HookExchangeRecord.Chart)).PrepareAsync(db, none).ConfigureAwait(false);
        await using var assertions = await MappedInsert.For<CoverageAssertionRecord>(db).PrepareAsync(db, none).ConfigureAwait(false);
        await using var criteria = MappedInsert.ForOwned<CoverageAssertionRecord>(db, nameof(CoverageAssertionRecord.Criteria)).PrepareByRowCount(db);
        foreach (var write in writes)
        {
            var exchangeId = await exchanges.Bind(write.Exchange).ExecuteReturningKeyAsync(none).ConfigureAwait(false);
            if (write.Exchange.Chart is { } chart)
            {
                await charts.Bind(chart).Shadow(HookExchangeConfiguration.ChartOwner, exchangeId).ExecuteAsync(none).ConfigureAwait(false);
            }

            foreach (var assertion in write.Assertions)
            {
                await assertions.Bind(assertion).ExecuteAsync(none).ConfigureAwait(false);
                if (assertion.Criteria.Count == 0)
                {
                    continue;
                }

                // An assertion's criteria in one statement: one round trip instead of one per criterion.
                var criterionRows = await criteria.ForRowsAsync(assertion.Criteria.Count, none).ConfigureAwait(false);
                for (var ordinal = 0; ordinal < assertion.Criteria.Count; ordinal++)
                {
                    // A criterion row's key is assertion id + position, which also keeps the read order.
                    criterionRows.Bind(assertion.Criteria[ordinal], at: ordinal)
                        .Shadow(CoverageAssertionConfiguration.CriterionOwner, assertion.AssertionId, at: ordinal)
                        .Shadow(CoverageAssertionConfiguration.CriterionOrdinal, ordinal, at: ordinal);
                }

                await criterionRows.ExecuteAsync(none).ConfigureAwait(false);
            }
        }

        // One transaction = one fsync for the whole batch.
        await transaction.CommitAsync(none).ConfigureAwait(false);
        return [.. writes.Select(_ => true)];
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
