using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;
using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class ReviewDecisionStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task An_approval_is_stored_and_applied_to_the_case_with_a_decision_event(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var pending = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var approval = Samples.Decision(pending, ReviewDecisionKind.Approve);

        var result = await storage.Decisions.AddAsync(approval, pending.Version);

        Assert.True(result.Decision.Id > 0);
        Assert.Equal(approval with { Id = result.Decision.Id }, result.Decision);
        Assert.Equal(pending with
        {
            Status = PriorAuthCaseStatus.Approved,
            PriorAuthNumber = approval.PriorAuthNumber,
            PriorAuthExpiresOn = approval.PriorAuthExpiresOn,
            DeterminationSummary = approval.Rationale,
            UpdatedAt = approval.DecidedAt,
            Version = pending.Version + 1,
        }, result.Case);
        Assert.Equal(result.Case, await storage.Cases.FindAsync(pending.CaseId));
        Assert.Equal(result.Decision, Assert.Single(await storage.Decisions.ListForCaseAsync(pending.CaseId)));
        var decisionEvent = (await storage.Cases.ListEventsAsync(pending.CaseId))[^1];
        Assert.Equal(PriorAuthCaseEventKinds.Decision, decisionEvent.Kind);
        Assert.Equal(approval.DecidedBy, decisionEvent.Actor);
        Assert.Contains($"\"decisionId\":{result.Decision.Id}", decisionEvent.DetailJson, StringComparison.Ordinal);
        // What a later order-sign reads.
        var forOrder = await storage.Cases.FindLatestForOrderAsync(pending.PatientReference, pending.OrderReference);
        Assert.Equal((PriorAuthCaseStatus.Approved, approval.PriorAuthNumber), (forOrder?.Status, forOrder?.PriorAuthNumber));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_decision_on_a_stale_case_version_leaves_no_decision_row(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var pending = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var movedByJob = await storage.Cases.UpdateAsync(pending with { DeterminationSummary = "Re-evaluated" }, pending.Version, new PriorAuthCaseEventRecord
        {
            CaseId = pending.CaseId,
            At = Samples.BaseTime.AddHours(1),
            Kind = PriorAuthCaseEventKinds.ReEvaluated,
            Actor = PriorAuthCaseEventRecord.SystemActor,
            Summary = "Re-evaluated",
        });

        await Assert.ThrowsAsync<CaseConcurrencyException>(() => storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Deny), pending.Version));

        Assert.Empty(await storage.Decisions.ListForCaseAsync(pending.CaseId));
        Assert.Null(await storage.Decisions.LatestForCaseAsync(pending.CaseId));
        Assert.Equal(movedByJob, await storage.Cases.FindAsync(pending.CaseId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Two_reviewers_deciding_at_once_store_exactly_one_decision(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var pending = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var kinds = new[] { ReviewDecisionKind.Approve, ReviewDecisionKind.Deny, ReviewDecisionKind.Pend, ReviewDecisionKind.Approve, ReviewDecisionKind.Deny, ReviewDecisionKind.Pend };

        var attempts = kinds.Select(kind => Task.Run(() => storage.Decisions.AddAsync(Samples.Decision(pending, kind), pending.Version))).ToList();
        try
        {
            await Task.WhenAll(attempts);
        }
        catch (CaseConcurrencyException)
        {
            // The losers; checked below.
        }

        var winner = Assert.Single(attempts, a => a.IsCompletedSuccessfully);
        Assert.All(attempts.Where(a => a != winner), a => Assert.IsType<CaseConcurrencyException>(a.Exception?.InnerException));
        var won = await winner;
        Assert.Equal(won.Decision, Assert.Single(await storage.Decisions.ListForCaseAsync(pending.CaseId)));
        Assert.Equal(won.Case, await storage.Cases.FindAsync(pending.CaseId));
        Assert.Single(await storage.Cases.ListEventsAsync(pending.CaseId), e => e.Kind == PriorAuthCaseEventKinds.Decision);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_failing_case_update_rolls_back_the_decision(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var first = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var second = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var number = Samples.Unique("PA");
        await storage.Decisions.AddAsync(Samples.Decision(first, ReviewDecisionKind.Approve, number), first.Version);

        // The same prior-auth number breaks the case's unique index after the decision row was written in the transaction.
        await Assert.ThrowsAsync<DbUpdateException>(() => storage.Decisions.AddAsync(Samples.Decision(second, ReviewDecisionKind.Approve, number), second.Version));

        Assert.Empty(await storage.Decisions.ListForCaseAsync(second.CaseId));
        Assert.Equal(second, await storage.Cases.FindAsync(second.CaseId));
        await using var db = await storage.CreateContextAsync();
        Assert.Equal(0, await db.Set<ReviewDecisionRecord>().CountAsync(d => d.CaseId == second.CaseId));
        Assert.Equal(1, await db.Set<PriorAuthCaseEventRecord>().CountAsync(e => e.CaseId == second.CaseId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task A_changed_mind_is_a_new_decision_that_supersedes_the_old_one(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var pending = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var approved = await storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Approve, decidedAt: Samples.BaseTime.AddHours(5)), pending.Version);

        var denied = await storage.Decisions.AddAsync(
            Samples.Decision(pending, ReviewDecisionKind.Deny, supersedes: approved.Decision.Id, decidedAt: Samples.BaseTime.AddHours(6)),
            approved.Case.Version);

        Assert.Equal([approved.Decision, denied.Decision], await storage.Decisions.ListForCaseAsync(pending.CaseId));
        Assert.Equal(denied.Decision, await storage.Decisions.LatestForCaseAsync(pending.CaseId));
        Assert.Equal(approved.Decision.Id, denied.Decision.SupersedesDecisionId);
        Assert.Equal(PriorAuthCaseStatus.Denied, denied.Case.Status);
        Assert.Null(denied.Case.PriorAuthNumber);
        Assert.Null(denied.Case.PriorAuthExpiresOn);
        Assert.Equal(pending.Version + 2, denied.Case.Version);

        var pended = await storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Pend, supersedes: denied.Decision.Id, decidedAt: Samples.BaseTime.AddHours(7)), denied.Case.Version);
        Assert.Equal(PriorAuthCaseStatus.MoreInformationRequested, pended.Case.Status);
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Invalid_decisions_are_refused_before_anything_is_stored(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var pending = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var other = await storage.CreateCaseAsync(PriorAuthCaseStatus.PendingReview);
        var otherDecision = await storage.Decisions.AddAsync(Samples.Decision(other, ReviewDecisionKind.Deny), other.Version);

        await Assert.ThrowsAsync<ArgumentException>(() => storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Approve) with { PriorAuthNumber = null }, pending.Version));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Deny) with { PriorAuthNumber = "PA-1" }, pending.Version));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Deny, supersedes: otherDecision.Decision.Id), pending.Version));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => storage.Decisions.AddAsync(Samples.Decision(pending, ReviewDecisionKind.Deny) with { CaseId = Samples.Unique("missing") }, 1));

        Assert.Empty(await storage.Decisions.ListForCaseAsync(pending.CaseId));
        Assert.Equal(pending, await storage.Cases.FindAsync(pending.CaseId));
    }
}
