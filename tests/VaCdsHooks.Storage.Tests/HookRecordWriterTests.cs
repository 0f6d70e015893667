using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class HookRecordWriterTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_writes_all_commit_and_share_transactions(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var tenant = Samples.Unique("tenant");
        const int writes = 64;
        var before = storage.WriterDiagnostics.GetStatistics();

        var assertionIds = Enumerable.Range(0, writes).Select(_ => Samples.Unique("assertion")).ToList();

        await Task.WhenAll(assertionIds.Select(id =>
            Task.Run(() => storage.Writer.WriteAsync(Samples.Exchange(tenant: tenant), [Samples.Assertion(assertionId: id)]))));

        var after = storage.WriterDiagnostics.GetStatistics();
        Assert.Equal(writes, after.WritesCommitted - before.WritesCommitted);
        Assert.Equal(0, after.WritesFailed - before.WritesFailed);
        // Group commit: concurrent callers shared transactions instead of paying one each.
        Assert.True(after.Commits - before.Commits < writes, $"{after.Commits - before.Commits} commits for {writes} writes");
        Assert.True(after.LargestBatch > 1);

        await using var db = await storage.CreateContextAsync();
        Assert.Equal(writes, await db.Set<HookExchangeRecord>().CountAsync(x => x.Tenant == tenant));
        Assert.Equal(writes, await db.Set<CoverageAssertionRecord>().CountAsync(a => assertionIds.Contains(a.AssertionId)));
        Assert.Equal(writes, await db.Set<CoverageAssertionRecord>().Where(a => assertionIds.Contains(a.AssertionId)).SelectMany(a => a.Criteria).CountAsync());
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_full_queue_holds_callers_back_and_drops_nothing(StorageProvider provider)
    {
        var storage = await databases.CreateEmptyAsync(provider, new Dictionary<string, string?>
        {
            ["Storage:WriterQueueCapacity"] = "2",
            ["Storage:WriterMaxBatchSize"] = "3",
        });
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        const int writes = 40;

        await Task.WhenAll(Enumerable.Range(0, writes).Select(_ => Task.Run(() => storage.Writer.WriteAsync(Samples.Exchange(), []))));

        var statistics = storage.WriterDiagnostics.GetStatistics();
        Assert.Equal(writes, statistics.WritesCommitted);
        Assert.InRange(statistics.LargestBatch, 1, 3);
        await using var db = await storage.CreateContextAsync();
        Assert.Equal(writes, await db.Set<HookExchangeRecord>().CountAsync());
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_failing_commit_faults_every_waiting_caller(StorageProvider provider)
    {
        // No migrations applied: the tables do not exist, so every commit fails.
        var storage = await databases.CreateEmptyAsync(provider);
        const int writes = 12;

        var calls = Enumerable.Range(0, writes).Select(_ => Task.Run(() => storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion()]))).ToList();

        foreach (var call in calls)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        Assert.All(calls, call => Assert.True(call.IsFaulted));
        var statistics = storage.WriterDiagnostics.GetStatistics();
        Assert.Equal(writes, statistics.WritesFailed);
        Assert.Equal(0, statistics.WritesCommitted);
        Assert.Equal(0, statistics.Commits);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_write_that_breaks_a_constraint_fails_alone(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var taken = Samples.Assertion();
        await storage.Writer.WriteAsync(Samples.Exchange(), [taken]);
        var tenant = Samples.Unique("tenant");

        var good = Enumerable.Range(0, 20).Select(_ => Task.Run(() => storage.Writer.WriteAsync(Samples.Exchange(tenant: tenant), [Samples.Assertion()]))).ToList();
        var reusedAssertionId = Task.Run(() => storage.Writer.WriteAsync(Samples.Exchange(tenant: tenant), [Samples.Assertion(assertionId: taken.AssertionId)]));

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => reusedAssertionId);
        await Task.WhenAll(good);
        await using var db = await storage.CreateContextAsync();
        Assert.Equal(20, await db.Set<HookExchangeRecord>().CountAsync(x => x.Tenant == tenant));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Each_chart_stays_with_its_own_exchange_when_calls_share_a_commit(StorageProvider provider)
    {
        // The chart row's key is the exchange's generated id; re-evaluation reads the chart of exactly that call.
        var storage = await databases.MigratedAsync(provider);
        var exchanges = Enumerable.Range(0, 32)
            .Select(i => Samples.Exchange() with { RecordBundle = i % 3 == 0 ? null : $"{{\"resourceType\":\"Bundle\",\"id\":\"chart-{i}\"}}" })
            .ToList();

        await Task.WhenAll(exchanges.Select(e => Task.Run(() => storage.Writer.WriteAsync(e, []))));

        foreach (var exchange in exchanges)
        {
            var stored = Assert.Single(await storage.ExchangeLog.FindByHookInstanceAsync(exchange.HookInstance));
            Assert.Equal(exchange.RecordBundle, stored.RecordBundle);
        }
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Exchange_is_stored_exactly_as_received(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        // Whitespace, key order, escapes and non-ASCII must survive: disputes are settled on the exact bytes.
        const string request = "{\n  \"z\": 1,  \"a\" : \"caf\u00e9 \\u00e9 \\\"quoted\\\"\",\n\t\"n\": 1.50, \"dup\": 1, \"dup\": 2 }\n";
        var exchange = Samples.Exchange() with
        {
            RequestBody = request,
            ResponseBody = null,
            HttpStatus = 503,
            DurationMs = 12.625,
            Tenant = null,
            ClientIssuer = null,
            ReceivedAt = new DateTimeOffset(2025, 6, 1, 14, 30, 15, 123, TimeSpan.FromHours(5.5)).AddTicks(4560),
        };

        await storage.Writer.WriteAsync(exchange, []);

        var stored = Assert.Single(await storage.ExchangeLog.FindByHookInstanceAsync(exchange.HookInstance));
        Assert.True(stored.Id > 0);
        // Same instant (microsecond precision on both providers), returned in UTC.
        Assert.Equal(exchange with { Id = stored.Id }, stored);
        Assert.Equal(exchange.ReceivedAt.UtcTicks, stored.ReceivedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored.ReceivedAt.Offset);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Shutting_down_commits_what_is_queued_and_refuses_new_writes(StorageProvider provider)
    {
        var first = await databases.CreateEmptyAsync(provider);
        await first.Services.MigrateVaCdsHooksStorageAsync();
        var tenant = Samples.Unique("tenant");
        var writer = first.Writer;

        var queued = Enumerable.Range(0, 30).Select(_ => writer.WriteAsync(Samples.Exchange(tenant: tenant), [])).ToList();
        await first.DisposeAsync();

        // Dispose returned after the commits; callers resume on the thread pool, so give them a moment to observe it.
        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(queued, call => Assert.True(call.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(Samples.Exchange(), []));
        await using var reopened = databases.OpenAnother(first);
        await using var db = await reopened.CreateContextAsync();
        Assert.Equal(30, await db.Set<HookExchangeRecord>().CountAsync(x => x.Tenant == tenant));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Invalid_input_is_reported_to_its_caller_without_reaching_the_queue(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var before = storage.WriterDiagnostics.GetStatistics();

        await Assert.ThrowsAsync<ArgumentException>(() => storage.Writer.WriteAsync(Samples.Exchange() with { HookInstance = "" }, []));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion() with { PatientReference = "" }]));

        var after = storage.WriterDiagnostics.GetStatistics();
        Assert.Equal(before.WritesFailed, after.WritesFailed);
        Assert.Equal(before.Commits, after.Commits);
    }
}
