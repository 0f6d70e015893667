using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

/// <summary>The EHR's FHIR access token is for the one call it came with; the hook log never keeps it.</summary>
public sealed class CredentialRedactionTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.secret-ehr-access-token";

    private static string HookWithToken(string token = Token) =>
        "{\"hook\":\"order-sign\",\"fhirServer\":\"https://ehr.example.org/fhir\",\"fhirAuthorization\":{\"access_token\":\"" + token
        + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"patient/*.read\",\"subject\":\"vacdshooks\",\"refresh_token\":\"refresh-" + token
        + "\"},\"context\":{\"patientId\":\"123\"}}";

    [Fact]
    public void Access_and_refresh_tokens_are_blanked_and_the_rest_is_kept_as_received()
    {
        var redacted = CredentialRedaction.Redact(HookWithToken());

        Assert.DoesNotContain("secret-ehr-access-token", redacted, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":\"[redacted]\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"refresh_token\":\"[redacted]\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"token_type\":\"Bearer\",\"expires_in\":300", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_with_escaped_quotes_is_blanked_whole() =>
        Assert.Equal("""{"access_token":"[redacted]","x":1}""", CredentialRedaction.Redact("""{"access_token":"a\"b\\c","x":1}"""));

    [Fact]
    public void A_body_without_tokens_is_returned_unchanged()
    {
        const string body = """{"hook":"order-sign","context":{"patientId":"123"}}""";
        Assert.Same(body, CredentialRedaction.Redact(body));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_stored_hook_call_keeps_no_access_token(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var exchange = Samples.Exchange() with { RequestBody = HookWithToken() };

        await storage.Writer.WriteAsync(exchange, []);

        await using var db = await storage.CreateContextAsync();
        // The text as stored, read past the mapping (which redacts again on read).
        var stored = await db.Database.SqlQueryRaw<string>("SELECT request_body AS \"Value\" FROM hook_exchanges WHERE hook_instance = {0}", exchange.HookInstance).SingleAsync();
        Assert.DoesNotContain(Token, stored, StringComparison.Ordinal);
        var read = Assert.Single(await storage.ExchangeLog.FindByHookInstanceAsync(exchange.HookInstance));
        Assert.DoesNotContain(Token, read.RequestBody, StringComparison.Ordinal);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Upgrading_blanks_tokens_stored_before_they_were_redacted(StorageProvider provider)
    {
        await using var storage = await databases.CreateEmptyAsync(provider);
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        var hookInstance = Guid.NewGuid().ToString();
        await using (var db = await storage.CreateContextAsync())
        {
            var all = db.Database.GetMigrations().ToList();
            var beforeRedaction = all[all.FindIndex(m => m.EndsWith("_RedactEhrCredentials", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(beforeRedaction);

            // A row as the service wrote it before: the token in the body, written past the mapping.
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO hook_exchanges (received_at, service_id, hook, hook_instance, request_body, http_status, duration_ms) VALUES ({0}, 'svc', 'order-sign', {1}, {2}, 200, 1.0)",
                DateTimeOffset.UtcNow, hookInstance, HookWithToken());
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO hook_exchanges (received_at, service_id, hook, hook_instance, request_body, http_status, duration_ms) VALUES ({0}, 'svc', 'order-sign', {1}, {2}, 200, 1.0)",
                DateTimeOffset.UtcNow, hookInstance, "not json but mentions access_token");
        }

        await storage.Services.MigrateVaCdsHooksStorageAsync();

        await using (var db = await storage.CreateContextAsync())
        {
            var bodies = await db.Database.SqlQueryRaw<string>("SELECT request_body AS \"Value\" FROM hook_exchanges WHERE hook_instance = {0}", hookInstance).ToListAsync();
            Assert.Equal(2, bodies.Count);
            Assert.All(bodies, b => Assert.DoesNotContain(Token, b, StringComparison.Ordinal));
            Assert.Contains(bodies, b => b == "not json but mentions access_token");
        }
    }
}
