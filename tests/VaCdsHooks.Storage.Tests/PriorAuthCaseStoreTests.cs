using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class PriorAuthCaseStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Creating_a_case_twice_for_one_assertion_returns_the_first_and_logs_one_created_event(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var assertion = Samples.Assertion();
        await storage.Writer.WriteAsync(Samples.Exchange(), [assertion]);
        var proposed = Samples.Case(assertion);

        var first = await storage.Cases.CreateIfAbsentAsync(proposed, PriorAuthCaseEventRecord.SystemActor);
        var second = await storage.Cases.CreateIfAbsentAsync(proposed with { Status = PriorAuthCaseStatus.PendingReview, IndicationLabel = "other" }, "someone-else");

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Case, second.Case);
        Assert.Equal(32, first.Case.CaseId.Length);
        Assert.Equal(1, first.Case.Version);
        Assert.Equal(proposed with { CaseId = first.Case.CaseId, Version = 1 }, first.Case);
        var created = Assert.Single(await storage.Cases.ListEventsAsync(first.Case.CaseId));
        Assert.Equal(PriorAuthCaseEventKinds.Created, created.Kind);
        Assert.Equal(PriorAuthCaseEventRecord.SystemActor, created.Actor);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_creates_for_one_assertion_make_exactly_one_case(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var assertion = Samples.Assertion();
        await storage.Writer.WriteAsync(Samples.Exchange(), [assertion]);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => storage.Cases.CreateIfAbsentAsync(Samples.Case(assertion), PriorAuthCaseEventRecord.SystemActor))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Case.CaseId).Distinct());
        Assert.Single(await storage.Cases.ListEventsAsync(results[0].Case.CaseId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_case_needs_an_existing_assertion(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);

        await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            storage.Cases.CreateIfAbsentAsync(Samples.Case(Samples.Assertion()), PriorAuthCaseEventRecord.SystemActor));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Cases_are_found_by_id_assertion_and_latest_for_order(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var patient = $"Patient/{Samples.Unique("p")}";
        var order = $"ServiceRequest/{Samples.Unique("o")}";
        var older = await storage.CreateCaseAsync(patientReference: patient, orderReference: order, createdAt: Samples.BaseTime.AddDays(1));
        var newest = await storage.CreateCaseAsync(patientReference: patient, orderReference: order, createdAt: Samples.BaseTime.AddDays(2));
        await storage.CreateCaseAsync(patientReference: patient, createdAt: Samples.BaseTime.AddDays(9));

        Assert.Equal(older, await storage.Cases.FindAsync(older.CaseId));
        Assert.Equal(older, await storage.Cases.FindByAssertionAsync(older.AssertionId));
        Assert.Equal(newest.CaseId, (await storage.Cases.FindLatestForOrderAsync(patient, order))?.CaseId);
        Assert.Null(await storage.Cases.FindAsync(Samples.Unique("missing")));
        Assert.Null(await storage.Cases.FindLatestForOrderAsync(patient, $"ServiceRequest/{Samples.Unique("none")}"));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Update_saves_fields_bumps_version_and_appends_its_event(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var original = await storage.CreateCaseAsync();
        var approved = original with
        {
            Status = PriorAuthCaseStatus.Approved,
            UpdatedAt = Samples.BaseTime.AddHours(2),
            DeterminationSummary = "All criteria met.",
            PriorAuthNumber = Samples.Unique("PA"),
            PriorAuthExpiresOn = new DateOnly(2026, 1, 31),
        };

        var saved = await storage.Cases.UpdateAsync(approved, original.Version, ReEvaluated(original));

        Assert.Equal(approved with { Version = 2 }, saved);
        Assert.Equal(saved, await storage.Cases.FindAsync(original.CaseId));
        Assert.Equal([PriorAuthCaseEventKinds.Created, PriorAuthCaseEventKinds.ReEvaluated], (await storage.Cases.ListEventsAsync(original.CaseId)).Select(e => e.Kind));
        Assert.Equal(saved.CaseId, (await storage.Cases.FindLatestForOrderAsync(saved.PatientReference, saved.OrderReference))?.CaseId);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_stale_version_is_refused_and_changes_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var original = await storage.CreateCaseAsync();
        var byJob = await storage.Cases.UpdateAsync(original with { Status = PriorAuthCaseStatus.PendingReview }, original.Version, ReEvaluated(original));

        // A reviewer still holding version 1 tries to deny.
        var conflict = await Assert.ThrowsAsync<CaseConcurrencyException>(() =>
            storage.Cases.UpdateAsync(original with { Status = PriorAuthCaseStatus.Denied }, original.Version, ReEvaluated(original)));

        Assert.Contains($"case '{original.CaseId}'", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("expected version 1, found 2.", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(byJob, await storage.Cases.FindAsync(original.CaseId));
        Assert.Equal(2, (await storage.Cases.ListEventsAsync(original.CaseId)).Count);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Concurrent_updates_from_one_version_let_exactly_one_win(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var original = await storage.CreateCaseAsync();
        var statuses = new[] { PriorAuthCaseStatus.Approved, PriorAuthCaseStatus.Denied, PriorAuthCaseStatus.PendingReview, PriorAuthCaseStatus.Processing, PriorAuthCaseStatus.MoreInformationRequested, PriorAuthCaseStatus.Denied };

        var attempts = statuses.Select(status => Task.Run(() =>
            storage.Cases.UpdateAsync(original with { Status = status }, original.Version, ReEvaluated(original)))).ToList();
        try
        {
            await Task.WhenAll(attempts);
        }
        catch (CaseConcurrencyException)
        {
            // Expected for the losers; inspected below.
        }

        var winner = Assert.Single(attempts, a => a.IsCompletedSuccessfully);
        Assert.All(attempts.Where(a => a != winner), a => Assert.IsType<CaseConcurrencyException>(a.Exception?.InnerException));
        var stored = await storage.Cases.FindAsync(original.CaseId);
        Assert.Equal(await winner, stored);
        Assert.Equal(2, stored!.Version);
        Assert.Equal(2, (await storage.Cases.ListEventsAsync(original.CaseId)).Count);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Identity_fields_cannot_change_and_the_event_must_be_for_the_same_case(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var original = await storage.CreateCaseAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            storage.Cases.UpdateAsync(original with { PatientReference = "Patient/someone-else" }, original.Version, ReEvaluated(original)));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            storage.Cases.UpdateAsync(original with { Status = PriorAuthCaseStatus.Denied }, original.Version, ReEvaluated(original) with { CaseId = Samples.Unique("another-case") }));
        Assert.Equal(original, await storage.Cases.FindAsync(original.CaseId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Update_of_an_unknown_case_reports_not_found(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var ghost = Samples.Case(Samples.Assertion()) with { CaseId = Samples.Unique("missing") };

        await Assert.ThrowsAsync<KeyNotFoundException>(() => storage.Cases.UpdateAsync(ghost, 1, ReEvaluated(ghost)));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Queue_filters_sorts_pages_and_counts_by_status(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var indication = Samples.Unique("indication");
        var now = Samples.BaseTime.AddDays(30);
        // Ages in days: pending 1, 3, 5, 8; approved 2; denied 20. Plus a pending case of another indication.
        var pending1 = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, now.AddDays(-1), indication);
        var pending3 = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, now.AddDays(-3).ToOffset(TimeSpan.FromHours(-6)), indication);
        var pending5 = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, now.AddDays(-5), indication);
        var pending8 = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, now.AddDays(-8), indication);
        var approved2 = await storage.CreateCaseAsync(PriorAuthCaseStatus.Approved, now.AddDays(-2), indication);
        await storage.CreateCaseAsync(PriorAuthCaseStatus.Denied, now.AddDays(-20), indication);
        await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, now.AddDays(-4), Samples.Unique("other-indication"));

        var oldestFirst = await storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery
        {
            Now = now,
            IndicationLabel = indication,
            Statuses = [PriorAuthCaseStatus.PendingReview],
            Sort = QueueSortOrder.Oldest,
            PageSize = 3,
        });

        Assert.Equal([pending8.CaseId, pending5.CaseId, pending3.CaseId], oldestFirst.Items.Select(c => c.CaseId));
        Assert.Equal(4, oldestFirst.TotalCount);
        Assert.Equal(4, oldestFirst.CountsByStatus[PriorAuthCaseStatus.PendingReview]);
        Assert.Equal(1, oldestFirst.CountsByStatus[PriorAuthCaseStatus.Approved]);
        Assert.Equal(1, oldestFirst.CountsByStatus[PriorAuthCaseStatus.Denied]);
        Assert.Equal(0, oldestFirst.CountsByStatus[PriorAuthCaseStatus.Processing]);
        Assert.Equal(Enum.GetValues<PriorAuthCaseStatus>().Length, oldestFirst.CountsByStatus.Count);
        Assert.NotNull(oldestFirst.Next);

        var secondPage = await storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery
        {
            Now = now,
            IndicationLabel = indication,
            Statuses = [PriorAuthCaseStatus.PendingReview],
            PageSize = 3,
            After = oldestFirst.Next,
        });
        Assert.Equal([pending1.CaseId], secondPage.Items.Select(c => c.CaseId));
        Assert.Null(secondPage.Next);

        // Age window 2..5 days inclusive, newest first, two statuses.
        var window = await storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery
        {
            Now = now,
            IndicationLabel = indication,
            Statuses = [PriorAuthCaseStatus.PendingReview, PriorAuthCaseStatus.Approved],
            MinAge = TimeSpan.FromDays(2),
            MaxAge = TimeSpan.FromDays(5),
            Sort = QueueSortOrder.Newest,
        });
        Assert.Equal([approved2.CaseId, pending3.CaseId, pending5.CaseId], window.Items.Select(c => c.CaseId));
        Assert.Equal(3, window.TotalCount);
        Assert.Equal(2, window.CountsByStatus[PriorAuthCaseStatus.PendingReview]);
        Assert.Equal(0, window.CountsByStatus[PriorAuthCaseStatus.Denied]);

        var everything = await storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery { Now = now, IndicationLabel = indication });
        Assert.Equal(6, everything.TotalCount);
        Assert.Equal(6, everything.Items.Count);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Queue_pages_in_both_orders_cover_cases_created_at_the_same_instant_once(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var indication = Samples.Unique("indication");
        var sameInstant = Samples.BaseTime.AddDays(3);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview, sameInstant, indication)).CaseId);
        }

        foreach (var sort in new[] { QueueSortOrder.Oldest, QueueSortOrder.Newest })
        {
            var seen = new List<string>();
            PriorAuthCaseQueueCursor? cursor = null;
            do
            {
                var page = await storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery { Now = sameInstant, IndicationLabel = indication, Sort = sort, PageSize = 2, After = cursor });
                seen.AddRange(page.Items.Select(c => c.CaseId));
                cursor = page.Next;
            }
            while (cursor is not null && seen.Count < 20);

            Assert.Equal(ids.Order(StringComparer.Ordinal).ToList(), seen.Order(StringComparer.Ordinal).ToList());
            Assert.Equal(5, seen.Distinct().Count());
        }
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Queue_page_size_is_bounded(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery { Now = Samples.BaseTime, PageSize = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.Cases.QueryQueueAsync(new PriorAuthCaseQueueQuery { Now = Samples.BaseTime, PageSize = 501 }));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Appended_events_list_oldest_first(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync(createdAt: Samples.BaseTime);
        var reopened = await storage.Cases.AppendEventAsync(new PriorAuthCaseEventRecord
        {
            CaseId = created.CaseId,
            At = Samples.BaseTime.AddDays(2),
            Kind = PriorAuthCaseEventKinds.Reopened,
            Actor = "admin-1",
            Summary = "Reopened on appeal.",
            DetailJson = """{"appeal":"A-1"}""",
        });
        await storage.Cases.AppendEventAsync(reopened with { Id = 0, At = Samples.BaseTime.AddDays(1), Kind = "note", DetailJson = null });

        var events = await storage.Cases.ListEventsAsync(created.CaseId);

        Assert.Equal([PriorAuthCaseEventKinds.Created, "note", PriorAuthCaseEventKinds.Reopened], events.Select(e => e.Kind));
        Assert.Equal(reopened, events[2]);
        Assert.True(reopened.Id > 0);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => storage.Cases.AppendEventAsync(reopened with { CaseId = Samples.Unique("missing") }));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task An_update_can_mark_the_response_it_came_from_processed_so_a_second_job_run_changes_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var created = await storage.CreateCaseAsync();
        var saved = await storage.Responses.SaveReceivedAsync(Samples.Response(created));
        var processing = (await storage.Cases.FindAsync(created.CaseId))!;
        var outcome = processing with { Status = PriorAuthCaseStatus.PendingReview, UpdatedAt = Samples.BaseTime.AddHours(2) };

        var updated = await storage.Cases.UpdateAsync(outcome, processing.Version, ReEvaluated(processing), saved.Response.Id);
        var rerun = await Assert.ThrowsAsync<QuestionnaireResponseAlreadyProcessedException>(() =>
            storage.Cases.UpdateAsync(outcome with { Status = PriorAuthCaseStatus.Approved }, updated.Version, ReEvaluated(processing), saved.Response.Id));

        Assert.Contains($"'{saved.Response.Id}'", rerun.Message, StringComparison.Ordinal);
        Assert.Equal(updated, await storage.Cases.FindAsync(created.CaseId));
        var response = (await storage.Responses.FindAsync(saved.Response.Id))!;
        Assert.Equal(QuestionnaireResponseProcessingState.Processed, response.ProcessingState);
        Assert.Equal(outcome.UpdatedAt, response.ProcessedAt);
        Assert.Equal(1, response.Attempts);
        Assert.DoesNotContain(await storage.Responses.ListForCaseAsync(created.CaseId), r => r.ProcessingState != QuestionnaireResponseProcessingState.Processed);
    }

    private static PriorAuthCaseEventRecord ReEvaluated(PriorAuthCaseRecord forCase) => new()
    {
        CaseId = forCase.CaseId,
        At = Samples.BaseTime.AddHours(2),
        Kind = PriorAuthCaseEventKinds.ReEvaluated,
        Actor = PriorAuthCaseEventRecord.SystemActor,
        Summary = "Re-evaluated with the submitted documentation.",
        DetailJson = """{"criteriaMet":3}""",
    };
}
