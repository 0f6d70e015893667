using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Api.Review;

/// <summary>What the policy says about one criterion or reason, as the criterion CodeSystem publishes it.</summary>
/// <param name="Code">Criterion or reason code.</param>
/// <param name="Display">Its short name.</param>
/// <param name="Definition">The computable reading (CodeSystem definition).</param>
/// <param name="Section">The policy section it comes from, when recorded.</param>
/// <param name="PolicyText">The policy's own words, when recorded.</param>
public sealed record PolicyClause(string Code, string Display, string? Definition, string? Section, string? PolicyText);

/// <summary>A reason a reviewer can give for a denial: a code of the policy's criterion CodeSystem.</summary>
public sealed record PolicyReason(string Code, string Label, PolicyClause Clause);

/// <summary>
/// The policy wording the review pages show beside each criterion and offer as denial reasons. It lives in the
/// criterion CodeSystem (fhir-resources/CodeSystem/vertebral-augmentation-criterion.json: display, definition and
/// the <c>policy-section</c> / <c>policy-text</c> properties), so an analyst changes it without touching code.
/// </summary>
public sealed class PolicyWording
{
    // The criteria in the engine's order, by kind: a new criterion appears here by existing.
    private static readonly string[] InclusionCriteria = [.. CriteriaEvaluator.All.Where(c => c.Kind == CriterionKind.Inclusion).Select(c => c.Id)];
    private static readonly string[] ExclusionCriteria = [.. CriteriaEvaluator.All.Where(c => c.Kind == CriterionKind.Exclusion).Select(c => c.Id)];
    private static readonly string[] GeneralReasons = [CriterionCodes.DocumentationNeeded, CriterionCodes.NoActiveCoverage, CriterionCodes.AddOnWithoutPrimary, CriterionCodes.RegionMismatch];

    private readonly Dictionary<string, PolicyClause> _clauses;

    public PolicyWording(CoveragePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PolicyTitle = policy.Settings.PolicyTitle;
        PolicyUrl = policy.Settings.PolicyUrl;
        PolicyVersion = policy.Settings.PolicyVersion;
        _clauses = policy.CodeSystems.TryGetValue(CodeSystems.Criterion, out var codeSystem)
            ? codeSystem.Concept.Where(c => c.Code is not null).ToDictionary(c => c.Code!, ToClause, StringComparer.Ordinal)
            : [];

        // Denial reasons in policy order: an inclusion not met, an exclusion present, then the general reasons.
        DenialReasons =
        [
            .. InclusionCriteria.Select(code => Reason(code, "Not met: ")),
            .. ExclusionCriteria.Select(code => Reason(code, "Present: ")),
            .. GeneralReasons.Select(code => Reason(code, "")),
        ];
    }

    public string PolicyTitle { get; }

    public string PolicyUrl { get; }

    public string PolicyVersion { get; }

    public IReadOnlyList<PolicyReason> DenialReasons { get; }

    public PolicyClause For(string code) => _clauses.GetValueOrDefault(code) ?? new PolicyClause(code, code, null, null, null);

    public PolicyReason? DenialReason(string? code) => DenialReasons.FirstOrDefault(r => r.Code == code);

    private PolicyReason Reason(string code, string prefix)
    {
        var clause = For(code);
        return new PolicyReason(code, prefix + clause.Display, clause);
    }

    private static PolicyClause ToClause(CodeSystem.ConceptDefinitionComponent concept)
    {
        string? Property(string name) => concept.Property.FirstOrDefault(p => p.Code == name)?.Value is FhirString text ? text.Value : null;
        return new PolicyClause(concept.Code!, concept.Display ?? concept.Code!, concept.Definition, Property("policy-section"), Property("policy-text"));
    }
}
