using Npgsql;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class AuditLogTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Appended_entries_are_stored_as_given_with_the_id_they_were_returned_with(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var actor = Samples.Unique("user");
        var patient = $"Patient/{Samples.Unique("p")}";
        var caseId = Samples.Unique("case");
        var first = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, patient, caseId, Samples.BaseTime.AddMinutes(1)));
        var second = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, patient, at: Samples.BaseTime.AddMinutes(2).ToOffset(TimeSpan.FromHours(-4)), action: AuditActions.Decide));
        var third = await storage.Audit.AppendAsync(Samples.AuditEntry(actor, at: Samples.BaseTime.AddMinutes(3), action: AuditActions.ViewQueue) with { Detail = null, ClientAddress = null });

        Assert.True(first.Id > 0);
        var stored = await StoredAsync(storage, actor);
        Assert.Equal([first, second, third], stored);
        // Same instant, read back in UTC.
        Assert.Equal(second.At.UtcTicks, stored[1].At.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored[1].At.Offset);
    }

    [Fact]
    public void The_audit_log_offers_no_way_to_change_or_remove_entries()
    {
        var methods = typeof(IAuditLog).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal);

        Assert.Equal([nameof(IAuditLog.AppendAsync)], methods);
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

        var stored = Assert.Single(await StoredAsync(storage, entry.ActorUserId));
        Assert.Equal(entry, stored);
    }

    private static Task<List<AuditEventRecord>> StoredAsync(StorageUnderTest storage, string actor) =>
        storage.RowsAsync<AuditEventRecord>(rows => rows.Where(e => e.ActorUserId == actor).OrderBy(e => e.Id));
}
