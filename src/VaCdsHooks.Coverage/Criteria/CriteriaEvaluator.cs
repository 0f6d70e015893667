using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Runs every criterion, inclusions first, in the decision model's order, and applies record gaps: a template
/// the EHR could not give makes results that rest on the absence of its evidence unknown, and says so.
/// </summary>
public static class CriteriaEvaluator
{
    /// <summary>The policy's criteria, in the order cards list them.</summary>
    public static IReadOnlyList<ICoverageCriterion> All { get; } =
    [
        new IndicationCriterion(),
        new RegionCriterion(),
        new OnsetWindowCriterion(),
        new PainImpairmentCriterion(),
        new FailedOptimalMedicalTherapyCriterion(),
        new ImagingRuledOutCriterion(),
        new CordCompressionExclusion(),
        new SevereCollapseExclusion(),
        new HealedFractureExclusion(),
        new SacrumCoccyxExclusion(),
        new AsymptomaticExclusion(),
        new RespondingToTherapyExclusion(),
    ];

    public static IReadOnlyList<CriterionResult> Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var results = new List<CriterionResult>(All.Count);
        foreach (var criterion in All)
        {
            results.Add(ApplyGaps(criterion, criterion.Evaluate(facts, order), facts.Record));
        }

        return results;
    }

    internal static CriterionResult ApplyGaps(ICoverageCriterion criterion, CriterionResult result, PatientRecord record)
    {
        var gaps = record.Gaps.Where(g => criterion.ReadsResourceTypes.Contains(g.ResourceType)).ToList();
        if (gaps.Count == 0 || result.Status == CriterionStatus.Met)
        {
            return result;
        }

        var sentence = " The EHR could not provide " + string.Join("; ", gaps.Select(g => $"{g.ResourceType} data ({g.Reason.TrimEnd('.')})")) + ".";
        return result with
        {
            Status = CriterionStatus.Unknown,
            Explanation = result.Explanation + sentence,
            Flags = result.Flags.Append("record-gap").ToList(),
        };
    }
}
