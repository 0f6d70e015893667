using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Coverage;

/// <summary>The CRD hooks this service answers, and whether each is primary (CRD 2.0.1 section 8.1).</summary>
public static class CrdHooks
{
    public const string OrderSign = "order-sign";
    public const string OrderDispatch = "order-dispatch";
    public const string AppointmentBook = "appointment-book";
    public const string OrderSelect = "order-select";

    /// <summary>Primary hooks SHALL always return a coverage-information system action.</summary>
    public static bool IsPrimary(string hook) => hook is OrderSign or OrderDispatch or AppointmentBook;
}

/// <summary>
/// Per-request CRD configuration (the request's <c>extension["davinci-crd.configuration"]</c>), already
/// reduced to what we support. Unknown options are ignored before they get here.
/// </summary>
/// <param name="CoverageInformation">False when the EHR sent <c>coverage-info: false</c>: no coverage-information system action.</param>
/// <param name="DisabledCardTypes">CRD card type codes the EHR switched off (e.g. <c>clinical-reminder</c>).</param>
public sealed record CrdRequestOptions(bool CoverageInformation, IReadOnlySet<string> DisabledCardTypes)
{
    public static CrdRequestOptions Default { get; } = new(true, new HashSet<string>());
}

/// <summary>Everything the coverage decision needs about one hook call; no HTTP, no tokens.</summary>
/// <param name="Hook">The hook name, e.g. <c>order-sign</c>.</param>
/// <param name="Record">The assembled patient record.</param>
/// <param name="Orders">The orders the hook speaks about, exactly as the EHR sent them (draft orders, dispatched orders, appointments).</param>
/// <param name="Now">The time of the call; the order date falls back to it.</param>
/// <param name="Options">The EHR's CRD configuration for this call.</param>
/// <param name="PriorDecisions">Decisions already made on these orders (documentation reviewed, staff decided); they win over a fresh evaluation.</param>
public sealed record CoverageRequest(
    string Hook,
    PatientRecord Record,
    IReadOnlyList<Resource> Orders,
    DateTimeOffset Now,
    CrdRequestOptions Options,
    IReadOnlyList<PriorDecision>? PriorDecisions = null);

/// <summary>
/// A prior-authorization decision already made for an order (after documentation or by payer staff). A later
/// hook call for the same order answers from it: approved -> covered with <c>satisfied-pa-id</c>; denied ->
/// not covered. Expired approvals and pending cases do not count.
/// </summary>
/// <param name="OrderReference"><c>Type/id</c> of the order.</param>
/// <param name="Approved">True for an approval, false for a denial.</param>
/// <param name="PriorAuthNumber">The number the payer honours (approvals).</param>
/// <param name="Expires">The last day the approval holds, if any.</param>
/// <param name="DecidedAt">When it was decided.</param>
/// <param name="Reason">For denials: the policy reason in words.</param>
public sealed record PriorDecision(
    string OrderReference,
    bool Approved,
    string? PriorAuthNumber,
    DateOnly? Expires,
    DateTimeOffset DecidedAt,
    string? Reason)
{
    /// <summary>
    /// Not a decision yet: documentation for the order was received and is being evaluated or waits for a reviewer.
    /// A later call that would ask for documentation again says so instead, without a questionnaire, so the
    /// provider does not document the same order twice.
    /// </summary>
    public bool UnderReview { get; init; }

    /// <summary>Documentation received on <paramref name="since"/>; the payer has not decided.</summary>
    public static PriorDecision Pending(string orderReference, DateTimeOffset since, string? status) =>
        new(orderReference, false, null, null, since, status) { UnderReview = true };
}

/// <summary>One criterion's result as stored with an assertion: typed; codes only at the storage and JSON edges.</summary>
/// <param name="CriterionId">The decision model's id, e.g. <c>onset-window</c> or <c>cord-compression</c>.</param>
/// <param name="Kind">Inclusion or exclusion.</param>
/// <param name="Status">Met, not met or unknown (for exclusions: present, ruled out, unknown).</param>
/// <param name="Explanation">The sentence a surgeon reads.</param>
/// <param name="EvidenceReferences"><c>Type/id</c> references of the resources the result rests on.</param>
public sealed record StoredCriterionResult(
    string CriterionId,
    CriterionKind Kind,
    CriterionStatus Status,
    string Explanation,
    IReadOnlyList<string> EvidenceReferences)
{
    /// <summary>
    /// Machine flags the documentation step acts on (<see cref="CriterionFlags"/>): <c>competing-pain-generator</c>,
    /// <c>conflict</c> (a reviewer decides), <c>record-gap</c>, <c>treated-level-ambiguous</c>.
    /// </summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary><c>met</c>/<c>not-met</c>/<c>unknown</c>; for exclusions <c>present</c>/<c>ruled-out</c>/<c>unknown</c>.</summary>
    public string StatusCode => CriterionCodesOf.Status(Kind, Status);

    public string KindCode => CriterionCodesOf.Kind(Kind);

    public static StoredCriterionResult From(CriterionResult result)
    {
        // A handful of references per criterion: a list scan beats a set, and this runs for every criterion of every assertion.
        var references = new List<string>(result.Evidence.Count);
        foreach (var evidence in result.Evidence)
        {
            if (!references.Contains(evidence.Reference))
            {
                references.Add(evidence.Reference);
            }
        }

        return new(result.CriterionId, result.Kind, result.Status, result.Explanation, references) { Flags = result.Flags };
    }

    /// <summary>Back to a criterion result, so the determination rules read stored results the way they read fresh ones.</summary>
    public CriterionResult ToResult() =>
        new(CriterionId, CriterionId, Kind, Status, Explanation, EvidenceReferences.Select(r => new EvidenceItem(r)).ToList()) { Flags = Flags };
}

/// <summary>
/// A coverage assertion to persist: what we told the EHR about one order under one coverage.
/// Later steps (DTR, review) read it back by <see cref="AssertionId"/>.
/// </summary>
public sealed record CoverageAssertion(
    string AssertionId,
    DateTimeOffset Date,
    string PatientReference,
    string OrderReference,
    string? CoverageReference,
    string PolicyVersion,
    string Covered,
    string? PaNeeded,
    string? DocNeeded,
    string? SatisfiedPaId,
    string? QuestionnaireCanonical,
    string EvidenceHash,
    IReadOnlyList<StoredCriterionResult> Criteria);

/// <summary>The CDS Hooks answer plus the assertions it made.</summary>
public sealed record CoverageAnswer(CrdResponse Response, IReadOnlyList<CoverageAssertion> Assertions);

/// <summary>
/// The seam between "assemble the record" (the host) and "decide" (the policy engine). Implementations are
/// pure: the same request and policy version give the same determinations (assertion ids aside).
/// </summary>
public interface ICoverageAdvisor
{
    CoverageAnswer Advise(CoverageRequest request);

    /// <summary>Whether this service decides coverage for the order (a vertebral augmentation CPT code).</summary>
    bool IsInScope(Resource order);
}
