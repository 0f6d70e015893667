using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Review;

/// <summary>A case as the queue lists it.</summary>
public sealed record CaseSummary(
    string CaseId,
    string Status,
    string PatientReference,
    string OrderReference,
    string? CoverageReference,
    string? Indication,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Summary,
    string? PriorAuthNumber,
    DateOnly? PriorAuthExpiresOn,
    string AssertionId,
    long Version)
{
    public static CaseSummary From(PriorAuthCaseRecord record) => new(
        record.CaseId,
        record.Status.ToCode(),
        record.PatientReference,
        record.OrderReference,
        record.CoverageReference,
        record.IndicationLabel,
        record.CreatedAt,
        record.UpdatedAt,
        record.DeterminationSummary,
        record.PriorAuthNumber,
        record.PriorAuthExpiresOn,
        record.AssertionId,
        record.Version);
}

/// <summary>One page of the review queue.</summary>
/// <param name="CountsByStatus">Per status code, under the indication and age filters (not the status filter).</param>
/// <param name="Next">Opaque cursor for the next page; null on the last page.</param>
public sealed record QueuePage(
    IReadOnlyList<CaseSummary> Items,
    int TotalCount,
    IReadOnlyDictionary<string, int> CountsByStatus,
    string? Next);

/// <summary>A queue request after validation.</summary>
public sealed record QueueFilter(
    IReadOnlyList<PriorAuthCaseStatus> Statuses,
    string? Indication,
    int? MinAgeDays,
    int? MaxAgeDays,
    QueueSortOrder Sort,
    PriorAuthCaseQueueCursor? After,
    int PageSize);

/// <summary>The patient as the stored chart shows them (null fields when the chart lacks them).</summary>
public sealed record PatientSummary(string Reference, string? Name, string? BirthDate, string? Gender, string? Identifier);

/// <summary>The ordered procedure.</summary>
public sealed record OrderSummary(string Reference, IReadOnlyList<string> Codes, string? Description, string? AuthoredOn, string? Status, IReadOnlyList<string> Reasons);

/// <summary>What the engine asserted when the order was signed.</summary>
public sealed record AssertionSummary(string AssertionId, DateTimeOffset CreatedAt, string PolicyVersion, string Covered, string? PaNeeded, string? DocNeeded);

/// <summary>One questionnaire answer and how it came to be.</summary>
/// <param name="Origin"><c>pre-filled</c> (kept as we or the app filled it), <c>changed</c> (pre-filled, then edited) or <c>typed</c>.</param>
/// <param name="PrefilledValue">What the payer pre-filled, when it differs from the answer.</param>
public sealed record AnswerView(string LinkId, string Question, string Answer, string Origin, string? PrefilledValue, string? Author, IReadOnlyList<string> Criteria);

/// <summary>A QuestionnaireResponse received for the case.</summary>
public sealed record ResponseView(string Id, DateTimeOffset ReceivedAt, string ProcessingState, string? Status, string? Author, IReadOnlyList<AnswerView> Answers);

/// <summary>One policy criterion: how the chart showed it, how it stands with the answers, and the policy's words.</summary>
/// <param name="RecordStatus">From the chart at order-sign: met, not-met, present, ruled-out, unknown.</param>
/// <param name="CurrentStatus">After the latest answers were taken in; null when none were.</param>
/// <param name="Conflict">Answers contradict coded evidence (or the engine flagged a conflict).</param>
public sealed record CriterionView(
    string CriterionId,
    string Title,
    string Kind,
    string RecordStatus,
    string? CurrentStatus,
    string? Explanation,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<string> Flags,
    bool Conflict,
    PolicyClause Policy,
    IReadOnlyList<AnswerView> Answers);

/// <summary>One entry of the case history.</summary>
public sealed record HistoryEntry(DateTimeOffset At, string Kind, string Actor, string Summary);

/// <summary>A review decision as stored (final; a change is a new one that supersedes it).</summary>
public sealed record DecisionView(
    long Id,
    DateTimeOffset DecidedAt,
    string DecidedBy,
    string Role,
    string Decision,
    string? ReasonCode,
    string? ReasonLabel,
    string Rationale,
    string? PriorAuthNumber,
    DateOnly? PriorAuthExpiresOn,
    long? SupersedesDecisionId,
    bool Superseded);

/// <summary>Which decisions the signed-in user may make on this case now.</summary>
public sealed record AllowedDecisions(bool Approve, bool Deny, bool Pend, string? WhyNot);

/// <summary>Everything the case page and the case API show.</summary>
public sealed record CaseDetail(
    CaseSummary Case,
    PatientSummary Patient,
    OrderSummary Order,
    AssertionSummary? Assertion,
    IReadOnlyList<CriterionView> Criteria,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<ResponseView> Responses,
    IReadOnlyList<DecisionView> Decisions,
    IReadOnlyList<HistoryEntry> History,
    AllowedDecisions Allowed,
    IReadOnlyList<PolicyReason> DenialReasons);

/// <summary>A decision as a reviewer submits it (form or JSON).</summary>
/// <param name="Decision"><c>approve</c> | <c>deny</c> | <c>pend</c>.</param>
/// <param name="ExpectedVersion">The case version the reviewer saw; a newer case is a conflict, never overwritten.</param>
/// <param name="ReasonCode">Required to deny: a code from the policy's reasons (<c>GET /review/api/policy/reasons</c>).</param>
/// <param name="Rationale">Free text: required to deny and to pend (what the provider must send).</param>
public sealed record DecisionRequest(string? Decision, long? ExpectedVersion, string? ReasonCode, string? Rationale);

/// <summary>The decision stored and the case after it.</summary>
public sealed record DecisionOutcome(DecisionView Decision, CaseSummary Case);
