using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class HookExchangeLogReaderTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Find_by_hook_instance_returns_only_that_instance_oldest_first(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var hookInstance = Guid.NewGuid().ToString();
        var retry = Samples.Exchange(hookInstance: hookInstance, receivedAt: Samples.BaseTime.AddSeconds(2)) with { HttpStatus = 200 };
        var original = Samples.Exchange(hookInstance: hookInstance, receivedAt: Samples.BaseTime) with { HttpStatus = 500 };
        await storage.Writer.WriteAsync(retry, []);
        await storage.Writer.WriteAsync(original, []);
        await storage.Writer.WriteAsync(Samples.Exchange(), []);

        var found = await storage.ExchangeLog.FindByHookInstanceAsync(hookInstance);

        Assert.Equal([500, 200], found.Select(x => x.HttpStatus));
        Assert.All(found, x => Assert.Equal(hookInstance, x.HookInstance));
        Assert.Empty(await storage.ExchangeLog.FindByHookInstanceAsync(Guid.NewGuid().ToString()));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_patients_exchanges_are_kept_with_the_patient_and_sort_by_instant_whatever_the_offset(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var patient = Samples.Unique("patient");
        // Mixed offsets: order must follow the instant, not the local clock text. Two share an instant (id breaks the tie).
        var times = new[]
        {
            Samples.BaseTime.AddMinutes(1),
            new DateTimeOffset(Samples.BaseTime.AddMinutes(3).UtcDateTime).ToOffset(TimeSpan.FromHours(-7)),
            Samples.BaseTime.AddMinutes(2).ToOffset(TimeSpan.FromHours(9)),
            Samples.BaseTime.AddMinutes(5),
            Samples.BaseTime.AddMinutes(5),
            Samples.BaseTime.AddMinutes(4).ToOffset(TimeSpan.FromHours(-3)),
            Samples.BaseTime,
        };
        foreach (var time in times)
        {
            await storage.Writer.WriteAsync(Samples.Exchange(patientId: patient, receivedAt: time), []);
        }

        await storage.Writer.WriteAsync(Samples.Exchange(receivedAt: Samples.BaseTime.AddMinutes(10)), []);

        // The order the (patient, received-at, id) index keeps them in.
        var all = await storage.RowsAsync<HookExchangeRecord>(rows => rows.Where(x => x.PatientId == patient).OrderByDescending(x => x.ReceivedAt).ThenByDescending(x => x.Id));

        Assert.All(all, x => Assert.Equal(patient, x.PatientId));
        Assert.Equal(times.Length, all.Select(x => x.Id).Distinct().Count());
        Assert.Equal(times.OrderByDescending(t => t.UtcTicks).Select(t => t.UtcTicks), all.Select(x => x.ReceivedAt.UtcTicks));
        // The tie at +5 minutes is broken by id, newest (highest) first.
        Assert.True(all[0].Id > all[1].Id);
    }
}
