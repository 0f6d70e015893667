using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

/// <summary>Lockout counters shared by all instances, counted atomically.</summary>
public sealed class SignInAttemptStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private static string Key() => Guid.NewGuid().ToString("N");

    [Theory, SqliteStorage, PostgresStorage]
    public async Task The_attempt_reaching_the_limit_is_counted_and_the_next_is_refused_until_the_lock_ends(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).Services.GetRequiredService<ISignInAttemptStore>();
        var user = new SignInAttemptCounter(Key(), 3);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await store.TryCountAsync([user], Lockout, Now.AddSeconds(i)));
        }

        Assert.Equal(Now.AddSeconds(2) + Lockout, await store.TryCountAsync([user], Lockout, Now.AddMinutes(1)));
        Assert.Null(await store.TryCountAsync([user], Lockout, Now.AddSeconds(2) + Lockout + TimeSpan.FromSeconds(1)));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_refusal_by_one_counter_counts_nothing_on_the_others(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).Services.GetRequiredService<ISignInAttemptStore>();
        var client = new SignInAttemptCounter(Key(), 1);
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));

        var user = new SignInAttemptCounter(Key(), 2);
        Assert.NotNull(await store.TryCountAsync([user, client], Lockout, Now));
        Assert.NotNull(await store.TryCountAsync([user, client], Lockout, Now));

        // Neither refused attempt counted against the user: it still has both of its attempts.
        Assert.Null(await store.TryCountAsync([user], Lockout, Now));
        Assert.Null(await store.TryCountAsync([user], Lockout, Now));
        Assert.NotNull(await store.TryCountAsync([user], Lockout, Now));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_given_back_attempt_lifts_the_lock_and_a_cleared_counter_starts_over(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).Services.GetRequiredService<ISignInAttemptStore>();
        var client = new SignInAttemptCounter(Key(), 2);
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));
        Assert.NotNull(await store.TryCountAsync([client], Lockout, Now));

        await store.GiveBackAsync(client);
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));

        await store.ClearAsync(client.Key);
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));
        Assert.Null(await store.TryCountAsync([client], Lockout, Now));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_attempts_from_several_instances_are_all_held_to_the_limit(StorageProvider provider)
    {
        var first = await databases.MigratedAsync(provider);
        var instances = Enumerable.Range(0, 4).Select(_ => databases.OpenAnother(first).Services.GetRequiredService<ISignInAttemptStore>()).ToList();
        var user = new SignInAttemptCounter(Key(), 5);
        var client = new SignInAttemptCounter(Key(), 1000);

        var results = await Task.WhenAll(instances.SelectMany(store => Enumerable.Range(0, 6).Select(_ => Task.Run(() => store.TryCountAsync([user, client], Lockout, Now)))));

        Assert.Equal(5, results.Count(r => r is null));
    }
}
