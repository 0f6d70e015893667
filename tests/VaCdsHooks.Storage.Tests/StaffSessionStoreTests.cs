using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

/// <summary>Staff sessions live in the shared database: renewed while used, dead everywhere once ended or idle too long.</summary>
public sealed class StaffSessionStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_session_is_renewed_while_used_and_dead_after_its_idle_time(StorageProvider provider)
    {
        var store = (await databases.MigratedAsync(provider)).Services.GetRequiredService<IStaffSessionStore>();
        var id = await store.StartAsync("nurse", Now, Now.AddMinutes(30));

        Assert.Equal(64, id.Length);
        Assert.True(await store.RenewAsync(id, Now.AddMinutes(20), Now.AddMinutes(50)));
        Assert.True(await store.RenewAsync(id, Now.AddMinutes(45), Now.AddMinutes(75)));
        Assert.False(await store.RenewAsync(id, Now.AddMinutes(76), Now.AddMinutes(106)));
        Assert.False(await store.RenewAsync("no-such-session", Now, Now.AddMinutes(30)));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_session_ended_by_one_instance_is_dead_on_another(StorageProvider provider)
    {
        var first = await databases.MigratedAsync(provider);
        var other = databases.OpenAnother(first);
        var id = await first.Services.GetRequiredService<IStaffSessionStore>().StartAsync("director", Now, Now.AddMinutes(30));
        Assert.True(await other.Services.GetRequiredService<IStaffSessionStore>().RenewAsync(id, Now.AddMinutes(1), Now.AddMinutes(31)));

        await first.Services.GetRequiredService<IStaffSessionStore>().EndAsync(id, Now.AddMinutes(2));

        Assert.False(await other.Services.GetRequiredService<IStaffSessionStore>().RenewAsync(id, Now.AddMinutes(3), Now.AddMinutes(33)));
        Assert.False(await first.Services.GetRequiredService<IStaffSessionStore>().RenewAsync(id, Now.AddMinutes(3), Now.AddMinutes(33)));
    }
}
