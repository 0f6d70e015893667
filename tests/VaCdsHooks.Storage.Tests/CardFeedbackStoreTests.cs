using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class CardFeedbackStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_retried_feedback_post_stores_nothing_new(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var feedback = Samples.Feedback();

        Assert.Equal(1, await storage.Feedback.SaveAsync([feedback]));
        Assert.Equal(0, await storage.Feedback.SaveAsync([feedback with { UserComment = "second attempt", ReceivedAt = feedback.ReceivedAt.AddSeconds(30) }]));

        var stored = Assert.Single(await StoredAsync(storage, feedback.ServiceId, feedback.CardUuid));
        Assert.Equal(feedback with { Id = stored.Id, AcceptedSuggestionIds = stored.AcceptedSuggestionIds }, stored);
        Assert.Empty(stored.AcceptedSuggestionIds);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Duplicates_inside_one_post_are_stored_once_and_other_keys_are_distinct(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var accepted = Samples.Feedback() with
        {
            Outcome = CardFeedbackOutcome.Accepted,
            AcceptedSuggestionIds = ["suggestion-1", "suggestion-2"],
            OverrideReasonSystem = null,
            OverrideReasonCode = null,
            OverrideReasonDisplay = null,
            UserComment = null,
        };
        var laterOutcome = accepted with { OutcomeTimestamp = accepted.OutcomeTimestamp.AddMinutes(1) };
        var otherClient = accepted with { ClientIssuer = "https://other-ehr.example.org" };
        // Same instant written with another offset: the same key.
        var sameInstant = accepted with { OutcomeTimestamp = accepted.OutcomeTimestamp.ToOffset(TimeSpan.FromHours(2)) };

        var inserted = await storage.Feedback.SaveAsync([accepted, accepted, laterOutcome, otherClient, sameInstant]);

        Assert.Equal(3, inserted);
        var stored = await StoredAsync(storage, accepted.ServiceId, accepted.CardUuid);
        Assert.Equal(3, stored.Count);
        Assert.All(stored, s => Assert.Equal(["suggestion-1", "suggestion-2"], s.AcceptedSuggestionIds));
        Assert.All(stored, s => Assert.Equal(CardFeedbackOutcome.Accepted, s.Outcome));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_retries_of_one_post_insert_exactly_once(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var feedback = Samples.Feedback();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => storage.Feedback.SaveAsync([feedback]))));

        Assert.Equal(1, results.Sum());
        Assert.Single(await StoredAsync(storage, feedback.ServiceId, feedback.CardUuid));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_post_is_all_or_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var good = Samples.Feedback();
        var invalid = Samples.Feedback() with { CardUuid = "" };

        await Assert.ThrowsAsync<ArgumentException>(() => storage.Feedback.SaveAsync([good, invalid]));

        Assert.Empty(await StoredAsync(storage, good.ServiceId, good.CardUuid));
    }

    private static Task<List<CardFeedbackRecord>> StoredAsync(StorageUnderTest storage, string serviceId, string cardUuid) =>
        storage.RowsAsync<CardFeedbackRecord>(rows => rows.Where(f => f.ServiceId == serviceId && f.CardUuid == cardUuid).OrderBy(f => f.Id));
}
