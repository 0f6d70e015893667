using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

/// <summary>One-time tokens remembered in the shared database until they expire.</summary>
public sealed class TokenUseStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static string Key() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_token_is_recorded_once_and_refused_while_it_lives(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).TokenUses;
        var key = Key();

        Assert.True(await store.TryRecordAsync(key, Now.AddMinutes(5), Now));
        Assert.False(await store.TryRecordAsync(key, Now.AddMinutes(5), Now.AddMinutes(1)));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task An_expired_token_key_can_be_recorded_again(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).TokenUses;
        var key = Key();

        Assert.True(await store.TryRecordAsync(key, Now.AddMinutes(5), Now));
        Assert.True(await store.TryRecordAsync(key, Now.AddMinutes(15), Now.AddMinutes(6)));
        Assert.False(await store.TryRecordAsync(key, Now.AddMinutes(15), Now.AddMinutes(7)));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_uses_of_one_token_from_several_instances_let_exactly_one_through(StorageProvider provider)
    {
        var first = await databases.MigratedAsync(provider);
        var instances = Enumerable.Range(0, 4).Select(_ => databases.OpenAnother(first)).ToList();
        var key = Key();

        var results = await Task.WhenAll(instances.SelectMany(i => Enumerable.Range(0, 4).Select(_ => Task.Run(() => i.TokenUses.TryRecordAsync(key, Now.AddMinutes(5), Now)))));

        Assert.Single(results, r => r);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_calls_sharing_a_commit_each_get_their_own_answer(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).TokenUses;
        var keys = Enumerable.Range(0, 100).Select(_ => Key()).ToList();

        // Every key sent twice at once: the calls are recorded together, yet each key lets exactly one call through.
        var results = await Task.WhenAll(keys.Concat(keys).Select(key => Task.Run(() => store.TryRecordAsync(key, Now.AddMinutes(5), Now))));

        Assert.Equal(100, results.Count(r => r));
    }
}
