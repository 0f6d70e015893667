using Microsoft.EntityFrameworkCore;
using VaCdsHooks.Storage.Persistence;

namespace VaCdsHooks.Storage.Stores;

internal sealed class QuestionnaireResponseStore(VaCdsHooksDbContextFactory contexts) : IQuestionnaireResponseStore
{
    public const int MaxListSize = 1000;
    internal const string ProcessedCode = "processed";
    private const string FailedCode = "failed";
    private const string IdempotencyKeyIndex = "ux_questionnaire_responses_idempotency_key";

    // A staff update can slip in between reading the case and moving it to processing (PostgreSQL); the whole
    // transaction is then simply repeated, because the response must be stored whatever else happens to the case.
    private const int CaseConflictRetries = 5;

    private static readonly string[] StatusesAwaitingResponse =
    [
        PriorAuthCaseStatus.AwaitingDocumentation.ToCode(),
        PriorAuthCaseStatus.MoreInformationRequested.ToCode(),
    ];

    public async Task<QuestionnaireResponseSaveResult> SaveReceivedAsync(ReceivedQuestionnaireResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var row = RecordMapping.ToEntity(response, StoreIds.NewOpaqueId());
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

    private async Task<QuestionnaireResponseSaveResult> SaveOnceAsync(QuestionnaireResponseEntity row, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var caseRow = await db.Set<PriorAuthCaseEntity>().SingleOrDefaultAsync(x => x.CaseId == row.CaseId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Prior-auth case '{row.CaseId}' does not exist.");
        if (caseRow.AssertionId != row.AssertionId)
        {
            throw new ArgumentException($"Case '{row.CaseId}' is for assertion '{caseRow.AssertionId}', not '{row.AssertionId}'.", nameof(row));
        }

        var created = await InsertIfAbsentStatement<QuestionnaireResponseEntity>.For(db, IdempotencyKeyIndex)
            .ExecuteAsync(db, row, cancellationToken).ConfigureAwait(false) == 1;
        if (created)
        {
            db.Add(new PriorAuthCaseEventEntity
            {
                CaseId = row.CaseId,
                At = row.ReceivedAt,
                Kind = PriorAuthCaseEventKinds.ResponseReceived,
                Actor = PriorAuthCaseEventRecord.SystemActor,
                Summary = $"QuestionnaireResponse {row.Id} received from client {row.ClientId}.",
                DetailJson = EventDetailJson.Of(("questionnaireResponseId", row.Id), ("clientId", row.ClientId), ("submittedIdentifier", row.SubmittedIdentifier)),
            });
            if (StatusesAwaitingResponse.Contains(caseRow.Status))
            {
                caseRow.Status = PriorAuthCaseStatus.Processing.ToCode();
                caseRow.UpdatedAt = row.ReceivedAt;
                caseRow.Version++;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        var stored = await db.Set<QuestionnaireResponseEntity>().AsNoTracking()
            .SingleAsync(x => x.CaseId == row.CaseId && x.ContentHash == row.ContentHash, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QuestionnaireResponseSaveResult(RecordMapping.ToRecord(stored), created);
    }

    public async Task<QuestionnaireResponseRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<QuestionnaireResponseEntity>().AsNoTracking()
            .SingleOrDefaultAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RecordMapping.ToRecord(row);
    }

    public async Task<IReadOnlyList<QuestionnaireResponseRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<QuestionnaireResponseEntity>().AsNoTracking()
            .Where(x => x.CaseId == caseId)
            .OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    public async Task<IReadOnlyList<QuestionnaireResponseRecord>> ListUnprocessedAsync(int limit, int? maxAttempts = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListSize);
        if (maxAttempts is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "maxAttempts must be at least 1.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Set<QuestionnaireResponseEntity>().AsNoTracking().Where(x => x.ProcessingState != ProcessedCode);
        if (maxAttempts is { } most)
        {
            query = query.Where(x => x.Attempts < most);
        }

        var rows = await query.OrderBy(x => x.ReceivedAt).ThenBy(x => x.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(RecordMapping.ToRecord);
    }

    public async Task<bool> MarkProcessedAsync(string id, DateTimeOffset processedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // One conditional UPDATE: two job runs racing here cannot both count as the one that processed it.
        var changed = await db.Set<QuestionnaireResponseEntity>()
            .Where(x => x.Id == id && x.ProcessingState != ProcessedCode)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.ProcessingState, ProcessedCode)
                    .SetProperty(x => x.ProcessedAt, processedAt)
                    .SetProperty(x => x.Attempts, x => x.Attempts + 1),
                cancellationToken).ConfigureAwait(false);
        return changed == 1 || await NotFoundUnlessExistsAsync(db, id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> MarkFailedAsync(string id, string failureReason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(failureReason);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // A late failure report must never undo a success.
        var changed = await db.Set<QuestionnaireResponseEntity>()
            .Where(x => x.Id == id && x.ProcessingState != ProcessedCode)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.ProcessingState, FailedCode)
                    .SetProperty(x => x.FailureReason, failureReason)
                    .SetProperty(x => x.Attempts, x => x.Attempts + 1),
                cancellationToken).ConfigureAwait(false);
        return changed == 1 || await NotFoundUnlessExistsAsync(db, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a no-op update: false when the row exists (already processed), KeyNotFoundException when it does not.</summary>
    private static async Task<bool> NotFoundUnlessExistsAsync(VaCdsHooksDbContext db, string id, CancellationToken cancellationToken) =>
        await db.Set<QuestionnaireResponseEntity>().AnyAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false)
            ? false
            : throw new KeyNotFoundException($"QuestionnaireResponse '{id}' does not exist.");
}
