using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;
using static VaCdsHooks.Storage.QuestionnaireResponseProcessingState;

namespace VaCdsHooks.Storage.Stores;

internal sealed class QuestionnaireResponseStore(VaCdsHooksDbContextFactory contexts) : IQuestionnaireResponseStore
{
    public const int MaxListSize = 1000;
    private const string IdempotencyKeyIndex = "ux_questionnaire_responses_idempotency_key";

    // A staff update can slip in between reading the case and moving it to processing (PostgreSQL); the whole
    // transaction is then simply repeated, because the response must be stored whatever else happens to the case.
    private const int CaseConflictRetries = 5;

    public async Task<QuestionnaireResponseSaveResult> SaveReceivedAsync(QuestionnaireResponseRecord response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(response.CaseId);
        ArgumentException.ThrowIfNullOrEmpty(response.AssertionId);
        ArgumentException.ThrowIfNullOrEmpty(response.ClientId);
        ArgumentException.ThrowIfNullOrEmpty(response.ContentHash);
        ArgumentException.ThrowIfNullOrEmpty(response.ResourceJson);
        // A copy: a new id, nothing processed yet, and the caller's record stays as it was.
        var row = response with
        {
            Id = StoreIds.NewOpaqueId(),
            ProcessingState = Received,
            ProcessedAt = null,
            FailureReason = null,
            Attempts = 0,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SaveOnceAsync(row, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException) when (attempt < CaseConflictRetries)
            {
                // Retried with a fresh context and transaction.
            }
        }
    }

    private async Task<QuestionnaireResponseSaveResult> SaveOnceAsync(QuestionnaireResponseRecord row, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var caseRow = await db.Set<PriorAuthCaseRecord>().AsTracking().SingleOrDefaultAsync(x => x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Prior-auth case '{row.CaseId}' does not exist.");
        if (caseRow.AssertionId != row.AssertionId)
        {
            throw new ArgumentException($"Case '{row.CaseId}' is for assertion '{caseRow.AssertionId}', not '{row.AssertionId}'.", nameof(row));
        }

        var created = await MappedInsert.For<QuestionnaireResponseRecord>(db, ifAbsent: IdempotencyKeyIndex)
            .ExecuteAsync(db, row, cancellationToken).ConfigureAwait(false) == 1;
        if (created)
        {
            db.Add(CaseEvents.New(
                row.CaseId, row.ReceivedAt, PriorAuthCaseEventKinds.ResponseReceived, PriorAuthCaseEventRecord.SystemActor,
                $"QuestionnaireResponse {row.Id} received from client {row.ClientId}.",
                ("questionnaireResponseId", row.Id), ("clientId", row.ClientId), ("submittedIdentifier", row.SubmittedIdentifier)));
            if (caseRow.Status is PriorAuthCaseStatus.AwaitingDocumentation or PriorAuthCaseStatus.MoreInformationRequested)
            {
                db.Entry(caseRow).CurrentValues.SetValues(caseRow with
                {
                    Status = PriorAuthCaseStatus.Processing,
                    UpdatedAt = row.ReceivedAt,
                    Version = caseRow.Version + 1,
                });
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        var stored = await db.Set<QuestionnaireResponseRecord>()
            .SingleAsync(x => x.CaseId == row.CaseId && x.ContentHash == row.ContentHash, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QuestionnaireResponseSaveResult(stored, created);
    }

    public Task<QuestionnaireResponseRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return contexts.ReadFirstAsync<QuestionnaireResponseRecord>(rows => rows.Where(x => x.Id == id), cancellationToken);
    }

    public Task<IReadOnlyList<QuestionnaireResponseRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        return contexts.ReadListAsync<QuestionnaireResponseRecord>(
            rows => rows.Where(x => x.CaseId == caseId).OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id), cancellationToken);
    }

    public Task<IReadOnlyList<QuestionnaireResponseRecord>> ListUnprocessedAsync(int limit, int maxAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        return contexts.ReadListAsync<QuestionnaireResponseRecord>(
            rows => rows.Where(x => x.ProcessingState != Processed && x.Attempts < maxAttempts)
                .OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id).Take(limit),
            cancellationToken);
    }

    public async Task<bool> MarkFailedAsync(string id, string failureReason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(failureReason);
        await using var db = contexts.CreateDbContext();
        // One conditional UPDATE that also counts the attempt; a late failure report must never undo a success.
        var changed = await db.Set<QuestionnaireResponseRecord>()
            .Where(x => x.Id == id && x.ProcessingState != Processed)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.ProcessingState, Failed).SetProperty(x => x.FailureReason, failureReason).SetProperty(x => x.Attempts, x => x.Attempts + 1),
                cancellationToken).ConfigureAwait(false);
        return changed == 1
            || (await db.Set<QuestionnaireResponseRecord>().AnyAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false)
                ? false
                : throw new KeyNotFoundException($"QuestionnaireResponse '{id}' does not exist."));
    }
}
