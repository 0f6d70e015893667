using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class ReviewDecisionStore(VaCdsHooksDbContextFactory contexts) : IReviewDecisionStore
{
    public async Task<ReviewDecisionResult> AddAsync(ReviewDecisionRecord decision, long expectedCaseVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var decisionRow = RecordMapping.ToEntity(decision);
        if (decision.Decision == ReviewDecisionKind.Approve && decisionRow.PriorAuthNumber is null)
        {
            throw new ArgumentException("An approval needs a prior-auth number.", nameof(decision));
        }

        if (decision.Decision != ReviewDecisionKind.Approve && (decisionRow.PriorAuthNumber is not null || decision.PriorAuthExpiresOn is not null))
        {
            throw new ArgumentException($"Only an approval carries a prior-auth number or expiry, not '{decision.Decision.ToCode()}'.", nameof(decision));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var caseRow = await PriorAuthCaseStore.LoadForUpdateAsync(db, decisionRow.CaseId, expectedCaseVersion, cancellationToken).ConfigureAwait(false);
        if (decisionRow.SupersedesDecisionId is { } supersededId
            && !await db.Set<ReviewDecisionEntity>().AnyAsync(x => x.Id == supersededId && x.CaseId == caseRow.CaseId, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"Decision {supersededId} is not a decision on case '{caseRow.CaseId}'.", nameof(decision));
        }

        caseRow.Status = decision.Decision.ResultingCaseStatus().ToCode();
        caseRow.PriorAuthNumber = decisionRow.PriorAuthNumber;
        caseRow.PriorAuthExpiresOn = decisionRow.PriorAuthExpiresOn;
        caseRow.DeterminationSummary = decisionRow.Rationale;
        caseRow.UpdatedAt = decisionRow.DecidedAt;
        caseRow.Version = expectedCaseVersion + 1;
        db.Add(decisionRow);
        // The case update and the decision insert share this SaveChanges; if the version check (or, say, a duplicate
        // prior-auth number) fails, the transaction rolls back and no decision row remains.
        await PriorAuthCaseStore.SaveCaseChangesAsync(db, caseRow.CaseId, expectedCaseVersion, cancellationToken).ConfigureAwait(false);

        // A second SaveChanges in the same transaction, because the event names the decision's database id.
        db.Add(new PriorAuthCaseEventEntity
        {
            CaseId = caseRow.CaseId,
            At = decisionRow.DecidedAt,
            Kind = PriorAuthCaseEventKinds.Decision,
            Actor = decisionRow.DecidedBy,
            Summary = $"{decisionRow.Decision} by {decisionRow.DecidedBy} ({decisionRow.Role}); case is now {caseRow.Status}.",
            DetailJson = EventDetailJson.Of(
                ("decisionId", decisionRow.Id),
                ("decision", decisionRow.Decision),
                ("policyReasonCode", decisionRow.PolicyReasonCode),
                ("priorAuthNumber", decisionRow.PriorAuthNumber),
                ("supersedesDecisionId", decisionRow.SupersedesDecisionId)),
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ReviewDecisionResult(RecordMapping.ToRecord(decisionRow), RecordMapping.ToRecord(caseRow));
    }

    public async Task<IReadOnlyList<ReviewDecisionRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<ReviewDecisionEntity>().AsNoTracking()
            .Where(x => x.CaseId == caseId)
            .OrderBy(x => x.DecidedAt).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    public async Task<ReviewDecisionRecord?> LatestForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ReviewDecisionEntity>().AsNoTracking()
            .Where(x => x.CaseId == caseId)
            .OrderByDescending(x => x.DecidedAt).ThenByDescending(x => x.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }
}
