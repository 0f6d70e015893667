using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class QuestionnaireResponseStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_response_is_stored_exactly_as_received_and_moves_the_case_to_processing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var received = Samples.Response(created);

        var result = await storage.Responses.SaveReceivedAsync(received);

        Assert.True(result.Created);
        var stored = await storage.Responses.FindAsync(result.Response.Id);
        Assert.Equal(result.Response, stored);
        Assert.Equal(32, stored!.Id.Length);
        Assert.Equal(received.ResourceJson, stored.ResourceJson);
        Assert.Equal(received.ContentHash, stored.ContentHash);
        // SHA-256 of the UTF-8 canonical JSON, lower-case hex (the FIPS 180-2 "abc" vector).
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", QuestionnaireResponseContentHash.Compute("abc"));
        Assert.Matches("^[0-9a-f]{64}$", stored.ContentHash);
        Assert.Equal((received.CaseId, received.AssertionId, received.ClientId, received.SubmittedIdentifier), (stored.CaseId, stored.AssertionId, stored.ClientId, stored.SubmittedIdentifier));
        Assert.Equal(received.ReceivedAt, stored.ReceivedAt);
        Assert.Equal(QuestionnaireResponseProcessingState.Received, stored.ProcessingState);
        Assert.Equal(0, stored.Attempts);
        Assert.Null(stored.ProcessedAt);

        var afterReceipt = (await storage.Cases.FindAsync(created.CaseId))!;
        Assert.Equal(PriorAuthCaseStatus.Processing, afterReceipt.Status);
        Assert.Equal(created.Version + 1, afterReceipt.Version);
        Assert.Equal(received.ReceivedAt, afterReceipt.UpdatedAt);
        var receivedEvent = (await storage.Cases.ListEventsAsync(created.CaseId))[^1];
        Assert.Equal(PriorAuthCaseEventKinds.ResponseReceived, receivedEvent.Kind);
        Assert.Contains(stored.Id, receivedEvent.DetailJson, StringComparison.Ordinal);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Resubmitting_the_same_content_returns_the_existing_row_and_changes_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var original = Samples.Response(created);
        var first = await storage.Responses.SaveReceivedAsync(original);
        var caseAfterFirst = await storage.Cases.FindAsync(created.CaseId);
        var eventsAfterFirst = await storage.Cases.ListEventsAsync(created.CaseId);

        // A retried POST: same canonical content, sent later, with other formatting and identifier.
        var retry = await storage.Responses.SaveReceivedAsync(original with
        {
            ReceivedAt = Samples.BaseTime.AddHours(3),
            ResourceJson = "{\"resourceType\":\"QuestionnaireResponse\"}",
            SubmittedIdentifier = "another",
        });

        Assert.False(retry.Created);
        Assert.Equal(first.Response, retry.Response);
        Assert.Single(await storage.Responses.ListForCaseAsync(created.CaseId));
        Assert.Equal(caseAfterFirst, await storage.Cases.FindAsync(created.CaseId));
        Assert.Equal(eventsAfterFirst, await storage.Cases.ListEventsAsync(created.CaseId));

        var different = await storage.Responses.SaveReceivedAsync(Samples.Response(created));
        Assert.True(different.Created);
        Assert.NotEqual(first.Response.Id, different.Response.Id);
        Assert.Equal(2, (await storage.Responses.ListForCaseAsync(created.CaseId)).Count);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_submissions_of_one_response_store_one_row(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var received = Samples.Response(created);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => storage.Responses.SaveReceivedAsync(received))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Response.Id).Distinct());
        Assert.Single(await storage.Responses.ListForCaseAsync(created.CaseId));
        Assert.Equal(created.Version + 1, (await storage.Cases.FindAsync(created.CaseId))!.Version);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task The_same_content_for_another_case_is_a_separate_response(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var one = await storage.CreateCaseAsync();
        var other = await storage.CreateCaseAsync();
        var received = Samples.Response(one);

        var first = await storage.Responses.SaveReceivedAsync(received);
        var second = await storage.Responses.SaveReceivedAsync(received with { CaseId = other.CaseId, AssertionId = other.AssertionId });

        Assert.True(second.Created);
        Assert.Equal(first.Response.ContentHash, second.Response.ContentHash);
        Assert.NotEqual(first.Response.Id, second.Response.Id);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_response_must_name_an_existing_case_and_its_assertion(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var other = await storage.CreateCaseAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => storage.Responses.SaveReceivedAsync(Samples.Response(created) with { AssertionId = other.AssertionId }));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => storage.Responses.SaveReceivedAsync(Samples.Response(created) with { CaseId = Samples.Unique("missing") }));
        Assert.Empty(await storage.Responses.ListForCaseAsync(created.CaseId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_case_already_in_review_keeps_its_status_when_a_response_arrives(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var inReview = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);

        await storage.Responses.SaveReceivedAsync(Samples.Response(inReview));

        Assert.Equal(inReview, await storage.Cases.FindAsync(inReview.CaseId));
        Assert.Equal(PriorAuthCaseEventKinds.ResponseReceived, (await storage.Cases.ListEventsAsync(inReview.CaseId))[^1].Kind);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Responses_saved_but_never_marked_are_listed_for_re_enqueueing_after_a_crash(StorageProvider provider)
    {
        // Its own database: the list spans every case.
        await using var storage = await databases.CreateEmptyAsync(provider);
        await storage.Services.MigrateVaCdsHooksStorageAsync();
        var created = await storage.CreateCaseAsync();
        var processed = await storage.Responses.SaveReceivedAsync(Samples.Response(created, receivedAt: Samples.BaseTime.AddMinutes(1)));
        var crashedAfterSave = await storage.Responses.SaveReceivedAsync(Samples.Response(created, receivedAt: Samples.BaseTime.AddMinutes(3)));
        var failedTwice = await storage.Responses.SaveReceivedAsync(Samples.Response(created, receivedAt: Samples.BaseTime.AddMinutes(2)));
        await ApplyResultAsync(storage, created.CaseId, processed.Response.Id, Samples.BaseTime.AddMinutes(5));
        Assert.True(await storage.Responses.MarkFailedAsync(failedTwice.Response.Id, "policy engine timeout"));
        Assert.True(await storage.Responses.MarkFailedAsync(failedTwice.Response.Id, "policy engine timeout again"));

        // "Restart": a new instance over the same database.
        await using var restarted = databases.OpenAnother(storage);
        var unprocessed = await restarted.Responses.ListUnprocessedAsync(limit: 10, maxAttempts: 10);

        Assert.Equal([failedTwice.Response.Id, crashedAfterSave.Response.Id], unprocessed.Select(r => r.Id));
        var failed = unprocessed[0];
        Assert.Equal(QuestionnaireResponseProcessingState.Failed, failed.ProcessingState);
        Assert.Equal(2, failed.Attempts);
        Assert.Equal("policy engine timeout again", failed.FailureReason);
        Assert.Equal(QuestionnaireResponseProcessingState.Received, unprocessed[1].ProcessingState);
        Assert.Equal([crashedAfterSave.Response.Id], (await restarted.Responses.ListUnprocessedAsync(limit: 10, maxAttempts: 2)).Select(r => r.Id));
        Assert.Single(await restarted.Responses.ListUnprocessedAsync(limit: 1, maxAttempts: 10));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Applying_a_result_twice_or_failing_after_success_changes_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var saved = await storage.Responses.SaveReceivedAsync(Samples.Response(created));
        var processedAt = Samples.BaseTime.AddHours(4).ToOffset(TimeSpan.FromHours(3));
        Assert.True(await storage.Responses.MarkFailedAsync(saved.Response.Id, "transient"));

        await ApplyResultAsync(storage, created.CaseId, saved.Response.Id, processedAt);
        await Assert.ThrowsAsync<QuestionnaireResponseAlreadyProcessedException>(() => ApplyResultAsync(storage, created.CaseId, saved.Response.Id, processedAt.AddHours(1)));
        Assert.False(await storage.Responses.MarkFailedAsync(saved.Response.Id, "late failure"));

        var stored = (await storage.Responses.FindAsync(saved.Response.Id))!;
        Assert.Equal(QuestionnaireResponseProcessingState.Processed, stored.ProcessingState);
        Assert.Equal(processedAt, stored.ProcessedAt);
        Assert.Equal(2, stored.Attempts);
        Assert.Equal("transient", stored.FailureReason);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => storage.Responses.MarkFailedAsync(Samples.Unique("missing"), "x"));
    }

    /// <summary>Marks the response processed as the documentation job does: with the case update that applies its result.</summary>
    private static async Task<PriorAuthCaseRecord> ApplyResultAsync(StorageUnderTest storage, string caseId, string responseId, DateTimeOffset at)
    {
        var current = (await storage.Cases.FindAsync(caseId))!;
        var reEvaluated = new PriorAuthCaseEventRecord
        {
            CaseId = caseId,
            At = at,
            Kind = PriorAuthCaseEventKinds.ReEvaluated,
            Actor = PriorAuthCaseEventRecord.SystemActor,
            Summary = "Re-evaluated with the submitted documentation.",
        };
        return await storage.Cases.UpdateAsync(current with { Status = PriorAuthCaseStatus.PendingReview, UpdatedAt = at }, current.Version, reEvaluated, responseId);
    }
}
