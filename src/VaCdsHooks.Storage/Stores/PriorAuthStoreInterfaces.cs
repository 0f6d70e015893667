namespace VaCdsHooks.Storage;

/// <summary>Prior-authorization cases and their history.</summary>
public interface IPriorAuthCaseStore
{
    /// <summary>
    /// Creates the case for <see cref="PriorAuthCaseRecord.AssertionId"/> unless one exists, and appends a <c>created</c>
    /// event in the same transaction. Safe to call concurrently and repeatedly: every call returns the one case, and
    /// <see cref="PriorAuthCaseCreation.Created"/> is true for exactly one of them.
    /// </summary>
    Task<PriorAuthCaseCreation> CreateIfAbsentAsync(PriorAuthCaseRecord proposed, string actor, CancellationToken cancellationToken = default);

    Task<PriorAuthCaseRecord?> FindAsync(string caseId, CancellationToken cancellationToken = default);

    Task<PriorAuthCaseRecord?> FindByAssertionAsync(string assertionId, CancellationToken cancellationToken = default);

    /// <summary>The most recently created case for this patient and order, or null (for answering a later order-sign).</summary>
    Task<PriorAuthCaseRecord?> FindLatestForOrderAsync(string patientReference, string orderReference, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the mutable fields of <paramref name="updated"/> (status, summary, prior-auth number and expiry, indication,
    /// coverage reference, updated-at) if the stored version is still <paramref name="expectedVersion"/>, bumps the
    /// version and appends <paramref name="caseEvent"/>, all in one transaction. When
    /// <paramref name="processedResponseId"/> is given, that QuestionnaireResponse is marked processed in the same
    /// transaction, so a re-run of the job that made this update sees its work done.
    /// </summary>
    /// <returns>The case as stored, with its new version.</returns>
    /// <exception cref="CaseConcurrencyException">Someone else updated the case since it was read.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="ArgumentException">An immutable field (assertion, patient, order, created-at) differs.</exception>
    Task<PriorAuthCaseRecord> UpdateAsync(
        PriorAuthCaseRecord updated,
        long expectedVersion,
        PriorAuthCaseEventRecord caseEvent,
        string? processedResponseId = null,
        CancellationToken cancellationToken = default);

    /// <summary>One page of the review queue plus the totals the queue screen shows.</summary>
    Task<PriorAuthCaseQueuePage> QueryQueueAsync(PriorAuthCaseQueueQuery query, CancellationToken cancellationToken = default);

    Task<PriorAuthCaseEventRecord> AppendEventAsync(PriorAuthCaseEventRecord caseEvent, CancellationToken cancellationToken = default);

    /// <summary>The case's history, oldest first.</summary>
    Task<IReadOnlyList<PriorAuthCaseEventRecord>> ListEventsAsync(string caseId, CancellationToken cancellationToken = default);
}

/// <param name="Created">False when the assertion already had a case; <paramref name="Case"/> is then that case, unchanged.</param>
public sealed record PriorAuthCaseCreation(PriorAuthCaseRecord Case, bool Created);

public enum QueueSortOrder
{
    /// <summary>Most recently created first.</summary>
    Newest,

    /// <summary>Longest waiting first.</summary>
    Oldest,
}

/// <summary>Review queue filters. Ages are measured from <see cref="Now"/> back to the case's creation.</summary>
public sealed record PriorAuthCaseQueueQuery
{
    public required DateTimeOffset Now { get; init; }

    /// <summary>Empty means every status.</summary>
    public IReadOnlyCollection<PriorAuthCaseStatus> Statuses { get; init; } = [];

    /// <summary>Exact indication label, or null for all.</summary>
    public string? IndicationLabel { get; init; }

    /// <summary>Only cases at least this old.</summary>
    public TimeSpan? MinAge { get; init; }

    /// <summary>Only cases at most this old.</summary>
    public TimeSpan? MaxAge { get; init; }

    public QueueSortOrder Sort { get; init; } = QueueSortOrder.Oldest;

    public int PageSize { get; init; } = 50;

    /// <summary>The previous page's <see cref="PriorAuthCaseQueuePage.Next"/>; must come from a query with the same sort.</summary>
    public PriorAuthCaseQueueCursor? After { get; init; }
}

/// <summary>Keyset position: the last case of a page.</summary>
public sealed record PriorAuthCaseQueueCursor(DateTimeOffset CreatedAt, string CaseId);

/// <param name="Items">In the requested order.</param>
/// <param name="TotalCount">Cases matching every filter (all pages).</param>
/// <param name="CountsByStatus">
/// Cases per status matching the indication and age filters but not the status filter, so the queue's status tabs
/// can all show their counts. Statuses with no cases are present with 0.
/// </param>
/// <param name="Next">Null when this is the last page.</param>
public sealed record PriorAuthCaseQueuePage(
    IReadOnlyList<PriorAuthCaseRecord> Items,
    int TotalCount,
    IReadOnlyDictionary<PriorAuthCaseStatus, int> CountsByStatus,
    PriorAuthCaseQueueCursor? Next);

/// <summary>Thrown when a case changed between read and update (another reviewer, or a job and a reviewer).</summary>
public sealed class CaseConcurrencyException(string caseId, long expectedVersion, long? currentVersion, Exception? innerException = null)
    : Exception($"Prior-auth case '{caseId}' was changed by someone else: expected version {expectedVersion}, found {currentVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "a newer one"}. Reload the case and try again.", innerException);

/// <summary>QuestionnaireResponses received from DTR apps, stored before they are answered and processed afterwards.</summary>
public interface IQuestionnaireResponseStore
{
    /// <summary>
    /// Stores the response unless the same content (case + <see cref="QuestionnaireResponseRecord.ContentHash"/>) is already stored; then it
    /// returns that row with <see cref="QuestionnaireResponseSaveResult.Created"/> false and never throws for it.
    /// When new, in the same transaction: appends a <c>response-received</c> case event and moves a case that is
    /// <c>awaiting-documentation</c> or <c>more-information-requested</c> to <c>processing</c> (bumping its version).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="ArgumentException">The assertion id is not the case's.</exception>
    Task<QuestionnaireResponseSaveResult> SaveReceivedAsync(QuestionnaireResponseRecord response, CancellationToken cancellationToken = default);

    Task<QuestionnaireResponseRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every response for the case, oldest first.</summary>
    Task<IReadOnlyList<QuestionnaireResponseRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Responses not yet processed (received, or failed with fewer than <paramref name="maxAttempts"/> attempts), oldest
    /// first: what to re-enqueue at start-up after a crash.
    /// </summary>
    Task<IReadOnlyList<QuestionnaireResponseRecord>> ListUnprocessedAsync(int limit, int maxAttempts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a failed attempt. Returns false (and changes nothing) if it already was processed: success is marked by
    /// <see cref="IPriorAuthCaseStore.UpdateAsync"/>, in the transaction that applies the result.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such response.</exception>
    Task<bool> MarkFailedAsync(string id, string failureReason, CancellationToken cancellationToken = default);
}

/// <summary>Staff review decisions.</summary>
public interface IReviewDecisionStore
{
    /// <summary>
    /// In one transaction: stores the decision, applies it to the case (status per
    /// <see cref="ReviewDecisionKindCodes.ResultingCaseStatus"/>, prior-auth number and expiry from an approval, cleared
    /// otherwise, summary = rationale, updated-at = decided-at) if the case is still at
    /// <paramref name="expectedCaseVersion"/>, and appends a <c>decision</c> event. Nothing is stored if any part fails.
    /// </summary>
    /// <exception cref="CaseConcurrencyException">The case changed since it was read; no decision was stored.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="ArgumentException">Invalid decision (e.g. approval without a number, superseding another case's decision).</exception>
    Task<ReviewDecisionResult> AddAsync(ReviewDecisionRecord decision, long expectedCaseVersion, CancellationToken cancellationToken = default);

    /// <summary>Every decision on the case, oldest first.</summary>
    Task<IReadOnlyList<ReviewDecisionRecord>> ListForCaseAsync(string caseId, CancellationToken cancellationToken = default);

    Task<ReviewDecisionRecord?> LatestForCaseAsync(string caseId, CancellationToken cancellationToken = default);
}

/// <summary>The append-only audit log. There is deliberately no way to change or remove an entry.</summary>
public interface IAuditLog
{
    /// <summary>Appends the entry and returns it with its id.</summary>
    Task<AuditEventRecord> AppendAsync(AuditEventRecord entry, CancellationToken cancellationToken = default);
}

/// <summary>
/// Thrown by <see cref="IPriorAuthCaseStore.UpdateAsync"/> when the response it should mark processed already is:
/// another run of the same job got there first, and nothing was changed by this one.
/// </summary>
public sealed class QuestionnaireResponseAlreadyProcessedException(string responseId)
    : InvalidOperationException($"QuestionnaireResponse '{responseId}' is already processed; the case was not changed again.");
