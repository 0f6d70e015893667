using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class ReviewDecisionStore(VaCdsHooksDbContextFactory contexts) : IReviewDecisionStore
{
    public async Task<ReviewDecisionResult> AddAsync(ReviewDecisionRecord decision, long expectedCaseVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentException.ThrowIfNullOrEmpty(decision.CaseId);
        ArgumentException.ThrowIfNullOrEmpty(decision.DecidedBy);
        ArgumentException.ThrowIfNullOrEmpty(decision.Role);
        ArgumentNullException.ThrowIfNull(decision.Rationale);
        // A copy: the database assigns the id, and the caller's record stays as it was.
        var decisionRow = decision with { Id = 0, PriorAuthNumber = StoreIds.NullIfEmpty(decision.PriorAuthNumber) };
        var decisionCode = decision.Decision.ToCode();
        if (decision.Decision == ReviewDecisionKind.Approve && decisionRow.PriorAuthNumber is null)
        {
            throw new ArgumentException("An approval needs a prior-auth number.", nameof(decision));
        }

        if (decision.Decision != ReviewDecisionKind.Approve && (decisionRow.PriorAuthNumber is not null || decision.PriorAuthExpiresOn is not null))
        {
            throw new ArgumentException($"Only an approval carries a prior-auth number or expiry, not '{decisionCode}'.", nameof(decision));
        }

        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var caseRow = await PriorAuthCaseStore.LoadForUpdateAsync(db, decisionRow.CaseId, expectedCaseVersion, cancellationToken).ConfigureAwait(false);
        if (decisionRow.SupersedesDecisionId is { } supersededId
            && !await db.Set<ReviewDecisionRecord>().AnyAsync(x => x.Id == supersededId && x.CaseId == caseRow.CaseId, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"Decision {supersededId} is not a decision on case '{caseRow.CaseId}'.", nameof(decision));
        }

        db.Entry(caseRow).CurrentValues.SetValues(caseRow with
        {
            Status = decision.Decision.ResultingCaseStatus(),
            PriorAuthNumber = decisionRow.PriorAuthNumber,
            PriorAuthExpiresOn = decisionRow.PriorAuthExpiresOn,
            DeterminationSummary = decisionRow.Rationale,
            UpdatedAt = decisionRow.DecidedAt,
            Version = expectedCaseVersion + 1,
        });
        db.Add(decisionRow);
        // The case update and the decision insert share this SaveChanges; if the version check (or, say, a duplicate
        // prior-auth number) fails, the transaction rolls back and no decision row remains.
        await PriorAuthCaseStore.SaveCaseChangesAsync(db, caseRow.CaseId, expectedCaseVersion, cancellationToken).ConfigureAwait(false);

        // A second SaveChanges in the same transaction, because the event names the decision's database id.
        db.Add(CaseEvents.New(
            caseRow.CaseId, decisionRow.DecidedAt, PriorAuthCaseEventKinds.Decision, decisionRow.DecidedBy,
            $"{decisionCode} by {decisionRow.DecidedBy} ({decisionRow.Role}); case is now {caseRow.Status.ToCode()}.",
            ("decisionId", decisionRow.Id),
            ("decision", decisionCode),
            ("policyReasonCode", decisionRow.PolicyReasonCode),
            ("priorAuthNumber", decisionRow.PriorAuthNumber),
            ("supersedesDecisionId", decisionRow.SupersedesDecisionId)));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ReviewDecisionResult(decisionRow, caseRow);
    }

    public Task<IReadOnlyList<ReviewDecisionRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        return contexts.ReadListAsync<ReviewDecisionRecord>(
            rows => rows.Where(x => x.CaseId == caseId).OrderBy(x => x.DecidedAt).ThenBy(x => x.Id), cancellationToken);
    }

    public Task<ReviewDecisionRecord?> LatestForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        return contexts.ReadFirstAsync<ReviewDecisionRecord>(
            rows => rows.Where(x => x.CaseId == caseId).OrderByDescending(x => x.DecidedAt).ThenByDescending(x => x.Id), cancellationToken);
    }
}
