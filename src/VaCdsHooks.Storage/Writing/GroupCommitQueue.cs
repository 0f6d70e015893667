using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Storage.Writing;

/// <summary>
/// Group commit: callers queue an item and wait; one loop takes everything queued (up to a batch size) and commits
/// it in one transaction, so concurrent callers share a single fsync. No timer: while one commit is in flight the
/// next batch fills by itself, so a lone call is never delayed and a busy server commits in large batches.
/// </summary>
internal sealed class GroupCommitQueue<TItem, TResult> : IAsyncDisposable
{
    private readonly string _name;
    private readonly int _maxBatchSize;
    private readonly Func<IReadOnlyList<TItem>, Task<TResult[]>> _commit;
    private readonly ILogger _logger;
    private readonly Func<Exception, bool> _isolate;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private long _committed;
    private long _failed;
    private long _commits;
    private int _largestBatch;

    /// <param name="name">Names the queue in errors and logs.</param>
    /// <param name="capacity">Items that may wait before callers are held back (never dropped); null for no bound.</param>
    /// <param name="commit">Commits a batch in one transaction and returns each item's result, in order.</param>
    /// <param name="isolate">
    /// When a batch of several fails with an exception this accepts, each item is committed on its own, so a
    /// constraint violation in one call does not fail the calls it happened to share a transaction with.
    /// </param>
    public GroupCommitQueue(string name, int maxBatchSize, int? capacity, Func<IReadOnlyList<TItem>, Task<TResult[]>> commit, ILogger logger, Func<Exception, bool>? isolate = null)
    {
        _name = name;
        _maxBatchSize = maxBatchSize;
        _commit = commit;
        _logger = logger;
        _isolate = isolate ?? (_ => false);
        _queue = capacity is { } bound
            ? Channel.CreateBounded<Pending>(new BoundedChannelOptions(bound) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true })
            : Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

        // Started here rather than by a host, so the queue works before (or without) one. Without the caller's
        // execution context: a batch serves many requests, so its database spans belong to none of their traces.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Completes with the item's result once its batch is committed, or faults with the batch's exception.
    /// Cancelling before the item is queued stores nothing; cancelling after only stops the wait.
    /// </summary>
    public async Task<TResult> EnqueueAsync(TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException($"The {_name} has shut down and accepts no more writes.", ex);
        }

        return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public HookRecordWriterStatistics GetStatistics() => new(
        Interlocked.Read(ref _committed),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _commits),
        Volatile.Read(ref _largestBatch),
        _queue.Reader.Count);

    /// <summary>Takes no more items and commits what is queued, unless <paramref name="cancellationToken"/> ends the wait first.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _loop.WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatchSize);
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

            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<Pending> batch)
    {
        try
        {
            var results = await _commit([.. batch.Select(p => p.Item)]).ConfigureAwait(false);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _committed, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }

            return;
        }
        catch (Exception ex) when (batch.Count > 1 && _isolate(ex))
        {
            GroupCommitLog.BatchRetriedOneByOne(_logger, batch.Count, _name, ex);
        }
        catch (Exception ex)
        {
            GroupCommitLog.BatchFailed(_logger, batch.Count, _name, ex);
            Interlocked.Add(ref _failed, batch.Count);
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(ex);
            }

            return;
        }

        foreach (var pending in batch)
        {
            await CommitAsync([pending]).ConfigureAwait(false);
        }
    }

    private sealed record Pending(TItem Item)
    {
        // RunContinuationsAsynchronously keeps callers' continuations off the single commit loop.
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal static partial class GroupCommitLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "A batch of {Count} writes to the {Queue} failed as a whole; committing them one by one to isolate the failing write.")]
    public static partial void BatchRetriedOneByOne(ILogger logger, int count, string queue, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Committing {Count} write(s) to the {Queue} failed; the callers receive the error.")]
    public static partial void BatchFailed(ILogger logger, int count, string queue, Exception exception);
}
