using Npgsql;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class AuditLogTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Appended_entries_round_trip_and_are_queried_newest_first_by_every_filter(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var actor = Samples.Unique("user");
        var patient = $"Patient/{Samples.Unique("p")}";
        var caseId = Samples.Unique("case");
        var first = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, patient, caseId, Samples.BaseTime.AddMinutes(1)));
        var second = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, patient, at: Samples.BaseTime.AddMinutes(2).ToOffset(TimeSpan.FromHours(-4)), action: AuditActions.Decide));
        var third = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, at: Samples.BaseTime.AddMinutes(3), action: AuditActions.ViewQueue) with { Detail = null, ClientAddress = null });
        var otherActor = await storage.Audit.AppendAsync(Samples.AuditEntry(patientReference: patient, caseId: caseId, at: Samples.BaseTime.AddMinutes(4)));

        Assert.True(first.Id > 0);
        Assert.Equal([third, second, first], (await storage.Audit.QueryAsync(new AuditEventQuery { ActorUserId = actor })).Items);
        Assert.Equal([otherActor, second, first], (await storage.Audit.QueryAsync(new AuditEventQuery { PatientReference = patient })).Items);
        Assert.Equal([otherActor, first], (await storage.Audit.QueryAsync(new AuditEventQuery { CaseId = caseId })).Items);
        Assert.Equal([second], (await storage.Audit.QueryAsync(new AuditEventQuery
        {
            ActorUserId = actor,
            From = Samples.BaseTime.AddMinutes(2),
            To = Samples.BaseTime.AddMinutes(3),
        })).Items);
        // Same instant, read back in UTC.
        var secondAsRead = (await storage.Audit.QueryAsync(new AuditEventQuery { ActorUserId = actor })).Items[1];
        Assert.Equal(second.At.UtcTicks, secondAsRead.At.UtcTicks);
        Assert.Equal(TimeSpan.Zero, secondAsRead.At.Offset);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Audit_pages_cover_every_entry_once(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var actor = Samples.Unique("user");
        for (var i = 0; i < 7; i++)
        {
            // Pairs share an instant: the id breaks the tie.
            await storage.Audit.AppendAsync(Samples.AuditEntry(actor, at: Samples.BaseTime.AddSeconds(i / 2)));
        }

        var seen = new List<AuditEventRecord>();
        AuditEventPageCursor? cursor = null;
        do
        {
            var page = await storage.Audit.QueryAsync(new AuditEventQuery { ActorUserId = actor, PageSize = 3, After = cursor });
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null && seen.Count < 20);

        Assert.Equal(7, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Select(e => e.Id), seen.Select(e => e.Id));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.Audit.QueryAsync(new AuditEventQuery { PageSize = 0 }));
    }

    [Fact]
    public void The_audit_log_offers_no_way_to_change_or_remove_entries()
    {
        var methods = typeof(IAuditLog).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal);

        Assert.Equal([nameof(IAuditLog.AppendAsync), nameof(IAuditLog.QueryAsync)], methods);
    }

    [Theory, PostgresStorage]
    public async Task Postgres_rejects_update_delete_and_truncate_of_audit_rows(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var entry = await storage.Audit.AppendAsync(Samples.AuditEntry());
        var connectionString = storage.Settings["ConnectionStrings:VaCdsHooks"];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        foreach (var sql in new[]
        {
            $"UPDATE audit_events SET detail = 'tampered' WHERE id = {entry.Id}",
            $"DELETE FROM audit_events WHERE id = {entry.Id}",
            "TRUNCATE audit_events",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
            Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        }

        var stored = Assert.Single((await storage.Audit.QueryAsync(new AuditEventQuery { ActorUserId = entry.ActorUserId })).Items);
        Assert.Equal(entry, stored);
    }
}
