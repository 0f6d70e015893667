using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>Where a case goes after its documentation is taken in.</summary>
public enum DocumentationDecision
{
    /// <summary>Every inclusion met, every exclusion ruled out: prior authorization granted.</summary>
    Approved,

    /// <summary>An exclusion present, onset outside the window, or only a non-covered indication.</summary>
    Denied,

    /// <summary>An answer contradicts coded evidence, or something is still unknown: a human reviewer decides.</summary>
    NeedsReview,
}

/// <summary>The re-evaluated case.</summary>
/// <param name="Decision">Approved, Denied or NeedsReview.</param>
/// <param name="PriorAuthNumber">For Approved: the prior-authorization number.</param>
/// <param name="ReasonCode">A code of our criterion CodeSystem (e.g. <c>all-criteria-met</c>, <c>exclusion-present</c>).</param>
/// <param name="Reason">The reason in sentences.</param>
/// <param name="PolicyClauses">For Denied: the policy's words for the deciding criteria (criterion CodeSystem definitions).</param>
/// <param name="Conflicts">For NeedsReview: each criterion where answers and coded evidence disagree, in a sentence.</param>
/// <param name="Criteria">The new per-criterion results, as stored with an assertion.</param>
public sealed record DocumentationOutcome(
    DocumentationDecision Decision,
    string? PriorAuthNumber,
    string ReasonCode,
    string Reason,
    IReadOnlyList<string> PolicyClauses,
    IReadOnlyList<string> Conflicts,
    IReadOnlyList<StoredCriterionResult> Criteria);

/// <summary>
/// Runs the coverage engine again (the same <see cref="CriteriaEvaluator"/> and <see cref="DeterminationRules"/>
/// the CRD answer used) over the original record plus the attested answers. Answers fill unknowns; they never
/// silently overwrite what coded evidence decided: a criterion the record had decided (met, not met, present,
/// ruled out) that the answers change, or any criterion the engine flags <c>conflict</c>, sends the case to a
/// reviewer. Pure; ids come from the injected source, time comes in.
/// </summary>
public sealed class DocumentationReevaluation
{
    private readonly CoveragePolicy _policy;
    private readonly IAssertionIdSource _ids;

    public DocumentationReevaluation(CoveragePolicy policy, IAssertionIdSource ids)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(ids);
        _policy = policy;
        _ids = ids;
    }

    /// <param name="record">The record the assertion was decided on.</param>
    /// <param name="evidence">What the completed QuestionnaireResponse adds.</param>
    /// <param name="order">The order of the assertion, as the EHR sent it.</param>
    /// <param name="now">The time of the call (the order date falls back to it).</param>
    /// <param name="orders">Every order of the hook call, so an add-on line is decided beside its primary; defaults to the order alone.</param>
    /// <param name="asserted">What the assertion told the EHR, criterion by criterion: answers are weighed against it (it wins over a
    /// fresh reading of the same record, which a later policy version may read differently).</param>
    public DocumentationOutcome Reevaluate(
        PatientRecord record,
        DocumentationEvidence evidence,
        Resource order,
        DateTimeOffset now,
        IReadOnlyList<Resource>? orders = null,
        IReadOnlyList<StoredCriterionResult>? asserted = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(order);
        var (scoped, mine) = OrderScope.FindAmong(_policy, order, orders, now);
        var reference = mine?.Reference ?? throw new ArgumentException("The order is not one this policy decides (no CPT 22510-22515).", nameof(order));

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var before = CriteriaEvaluator.EvaluateAll(ClinicalFacts.From(_policy, record, today), scoped)[reference];
        var combined = PatientRecord.Assemble(record.PatientId, record.All.Concat(evidence.Resources), record.Gaps);
        var facts = ClinicalFacts.From(_policy, combined, today);
        var after = CriteriaEvaluator.EvaluateAll(facts, scoped)[reference];
        var determination = DeterminationRules.Decide(after, facts);

        // Answers fill unknowns; changing what the record decided is a conflict, flagged where it happens.
        var conflicts = new List<string>();
        var stored = new List<StoredCriterionResult>();
        foreach (var result in after)
        {
            var previous = asserted?.FirstOrDefault(a => a.CriterionId == result.CriterionId)?.ToResult() ?? before.Single(b => b.CriterionId == result.CriterionId);
            var changedDecided = previous.Status != CriterionStatus.Unknown && previous.Status != result.Status;
            if (changedDecided)
            {
                conflicts.Add($"{result.Title}: the record showed {previous.StatusCode} ({previous.Explanation}); with the answers it is {result.StatusCode}.");
            }
            else if (result.Flags.Contains(CriterionFlags.Conflict))
            {
                conflicts.Add($"{result.Title}: {result.Explanation}");
            }

            var flagged = changedDecided && !result.Flags.Contains(CriterionFlags.Conflict) ? result with { Flags = [.. result.Flags, CriterionFlags.Conflict] } : result;
            stored.Add(StoredCriterionResult.From(flagged));
        }

        if (conflicts.Count > 0)
        {
            return new DocumentationOutcome(DocumentationDecision.NeedsReview, null, CriterionCodes.DocumentationNeeded, "Answers contradict coded evidence; a reviewer decides. " + string.Join(" ", conflicts), [], conflicts, stored);
        }

        return determination.Outcome switch
        {
            CoverageOutcome.Covered => new DocumentationOutcome(DocumentationDecision.Approved, _ids.NewSatisfiedPaId(), determination.ReasonCode, determination.Reason, [], [], stored),
            CoverageOutcome.NotCovered => new DocumentationOutcome(DocumentationDecision.Denied, null, determination.ReasonCode, determination.Reason, determination.Deciding.Select(d => Clause(d.CriterionId)).ToList(), [], stored),
            _ => new DocumentationOutcome(DocumentationDecision.NeedsReview, null, determination.ReasonCode, "The documentation leaves criteria open; a reviewer decides. " + determination.Reason, [], [], stored),
        };
    }

    private string Clause(string criterionId)
    {
        var concept = _policy.CodeSystems[CodeSystems.Criterion].Concept.FirstOrDefault(c => c.Code == criterionId);
        return concept is null ? criterionId : $"{concept.Display}: {concept.Definition}";
    }
}
