using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

/// <summary>A key made by the service is stored once; instances starting together all read the first one stored.</summary>
public sealed class ServiceKeyStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Instances_storing_a_key_together_all_get_the_same_one(StorageProvider provider)
    {
        var first = await databases.MigratedAsync(provider);
        var instances = Enumerable.Range(0, 4).Select(_ => databases.OpenAnother(first).Services.GetRequiredService<IServiceKeyStore>()).ToList();
        var name = "test-key-" + Guid.NewGuid().ToString("N");
        Assert.Null(await instances[0].FindAsync(name));

        var stored = await Task.WhenAll(instances.Select((store, i) => Task.Run(() => store.GetOrAddAsync(name, "protected-" + i, Now))));

        Assert.Single(stored.Distinct());
        Assert.Equal(stored[0], await instances[3].FindAsync(name));
    }
}
