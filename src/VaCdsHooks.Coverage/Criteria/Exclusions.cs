using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>Clinical evidence of spinal cord compression (cord compression, myelopathy codes).</summary>
public sealed class CordCompressionExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.CordCompression;
    public override string Title => "Spinal cord compression";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "Observation"];
    protected override string AttestationCode => FindingCodes.SpinalCordCompression;
    protected override string Noun => "spinal cord compression";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order)
    {
        var coded = facts.ConditionsIn(facts.ValueSets.SpinalCordCompression);
        return coded.Count == 0
            ? null
            : new ExclusionFinding("Spinal cord compression or myelopathy is coded.", coded.Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code)).ToList());
    }
}

/// <summary>Vertebra reduced to less than one third of its original height (height loss above the threshold).</summary>
public sealed class SevereCollapseExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.SevereCollapse;
    public override string Title => "Severe vertebral collapse";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation", "ImagingStudy"];
    protected override string AttestationCode => FindingCodes.SevereVertebralCollapse;
    protected override string Noun => "severe vertebral collapse (below one third of its height)";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order)
    {
        var threshold = facts.Settings.SevereCollapseMinHeightLossPercent;
        var latest = facts.HeightLossMeasurements.Count > 0 ? facts.HeightLossMeasurements[^1] : null;
        return latest is not null && latest.Value > threshold
            ? new ExclusionFinding($"Vertebral height loss of {Score(latest.Value)} %{PainImpairmentCriterion.On(latest.Date)} exceeds {Score(threshold)} %: the vertebra is below one third of its height.", [latest.Evidence()])
            : null;
    }

    protected override ExclusionFinding? FindDirectAbsence(ClinicalFacts facts, InScopeOrder order)
    {
        var threshold = facts.Settings.SevereCollapseMinHeightLossPercent;
        var latest = facts.HeightLossMeasurements.Count > 0 ? facts.HeightLossMeasurements[^1] : null;
        return latest is not null
            ? new ExclusionFinding($"Measured vertebral height loss of {Score(latest.Value)} %{PainImpairmentCriterion.On(latest.Date)} is within {Score(threshold)} %.", [latest.Evidence()])
            : null;
    }
}

/// <summary>
/// Healed fracture: the fracture is coded only as sequela (7th character S) or as a history of healed
/// fracture, with no current (A, B, D, G, K, P) vertebral fracture code beside it.
/// </summary>
public sealed class HealedFractureExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.Healed;
    public override string Title => "Healed fracture";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "Observation"];
    protected override string AttestationCode => FindingCodes.HealedFracture;
    protected override string Noun => "a healed fracture";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order)
    {
        var healed = facts.ConditionsIn(facts.ValueSets.HealedVertebralFracture);
        if (healed.Count == 0 || facts.ConditionsIn(facts.ValueSets.CurrentVertebralFracture).Count > 0)
        {
            return null;
        }

        return new ExclusionFinding(
            "The vertebral fracture is coded only as healed (sequela or history of a healed fracture), with no current fracture code.",
            healed.Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code)).ToList());
    }
}

/// <summary>Lesions of the sacrum or coccyx: the only lesion site documented is sacral/coccygeal.</summary>
public sealed class SacrumCoccyxExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.SacrumCoccyx;
    public override string Title => "Sacral or coccygeal lesion";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "Observation"];
    protected override string AttestationCode => FindingCodes.SacrococcygealLesionOnly;
    protected override string Noun => "a lesion of the sacrum or coccyx only";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order)
    {
        var sited = facts.Lesions.Where(l => l.Regions.Count > 0).ToList();
        if (sited.Count == 0 || sited.Any(l => l.Regions.Any(r => r.IsCoveredRegion())))
        {
            return null;
        }

        return new ExclusionFinding("The only lesion site documented is the sacrum or coccyx.", sited.Select(l => l.Evidence()).ToList());
    }

    protected override ExclusionFinding? FindDirectAbsence(ClinicalFacts facts, InScopeOrder order)
    {
        var spinal = facts.Lesions.Where(l => l.Regions.Any(r => r.IsCoveredRegion())).ToList();
        return spinal.Count == 0
            ? null
            : new ExclusionFinding("A lesion is documented in the cervical, thoracic or lumbar spine.", spinal.Select(l => l.Evidence()).ToList());
    }
}

/// <summary>Asymptomatic fracture: latest pain score 0/10 (ruled out by a latest score above 0).</summary>
public sealed class AsymptomaticExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.Asymptomatic;
    public override string Title => "Asymptomatic fracture";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation"];
    protected override string AttestationCode => FindingCodes.AsymptomaticFracture;
    protected override string Noun => "an asymptomatic fracture";
    protected override bool RuledOutByCrossSectionalImaging => false;
    protected override string UnknownWithoutImaging => "No pain score is recorded, so an asymptomatic fracture cannot be ruled out.";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order) =>
        facts.LatestPainScore is { Value: <= 0 } pain
            ? new ExclusionFinding($"The latest pain score is 0/10{PainImpairmentCriterion.On(pain.Date)}: the fracture is asymptomatic.", [pain.Evidence()])
            : null;

    protected override ExclusionFinding? FindDirectAbsence(ClinicalFacts facts, InScopeOrder order) =>
        facts.LatestPainScore is { Value: > 0 } pain
            ? new ExclusionFinding($"The latest pain score is {Score(pain.Value)}/10{PainImpairmentCriterion.On(pain.Date)}: the fracture is symptomatic.", [pain.Evidence()])
            : null;
}

/// <summary>
/// Responding appropriately to conservative therapy: since onset, the latest pain score is at or below the
/// configured score and at least the configured percentage below the highest score.
/// </summary>
public sealed class RespondingToTherapyExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.Responding;
    public override string Title => "Responding to conservative therapy";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation"];
    protected override string AttestationCode => FindingCodes.RespondingToConservativeTherapy;
    protected override string Noun => "a fracture responding to conservative therapy";
    protected override bool RuledOutByCrossSectionalImaging => false;
    protected override string UnknownWithoutImaging => "Pain scores over time are not recorded, so a response to conservative therapy cannot be ruled out.";

    protected override ExclusionFinding? FindPresence(ClinicalFacts facts, InScopeOrder order)
    {
        var trend = Trend(facts);
        return trend is { Responding: true } t
            ? new ExclusionFinding($"Pain fell from {Score(t.Highest.Value)}/10 to {Score(t.Latest.Value)}/10{PainImpairmentCriterion.On(t.Latest.Date)} ({Score(t.ReductionPercent)} % lower): the fracture is responding to conservative therapy.", [t.Highest.Evidence(), t.Latest.Evidence()])
            : null;
    }

    protected override ExclusionFinding? FindDirectAbsence(ClinicalFacts facts, InScopeOrder order)
    {
        var settings = facts.Settings;
        var trend = Trend(facts);
        if (trend is null)
        {
            return null;
        }

        if (trend.Latest.Value > settings.RespondingMaxPainScore)
        {
            return new ExclusionFinding($"The latest pain score is {Score(trend.Latest.Value)}/10{PainImpairmentCriterion.On(trend.Latest.Date)}, above {Score(settings.RespondingMaxPainScore)}/10: not an appropriate response.", [trend.Latest.Evidence()]);
        }

        // A low score is a response only if it fell enough from the highest; with one score we cannot tell.
        return trend.Highest != trend.Latest && trend.ReductionPercent < settings.RespondingMinReductionPercent
            ? new ExclusionFinding($"Pain went from {Score(trend.Highest.Value)}/10 to {Score(trend.Latest.Value)}/10, only {Score(trend.ReductionPercent)} % lower: not an appropriate response.", [trend.Highest.Evidence(), trend.Latest.Evidence()])
            : null;
    }

    private static PainTrend? Trend(ClinicalFacts facts)
    {
        var sinceOnset = facts.PainScores.Where(p => facts.IsAfterOnset(p.Date)).ToList();
        if (sinceOnset.Count == 0)
        {
            return null;
        }

        var latest = sinceOnset[^1];
        var highest = sinceOnset.OrderByDescending(p => p.Value).ThenBy(p => p.Date?.SortKey).First();
        var reduction = highest.Value > 0 ? (highest.Value - latest.Value) / highest.Value * 100m : 0m;
        var settings = facts.Settings;
        var responding = highest != latest && latest.Value <= settings.RespondingMaxPainScore && reduction >= settings.RespondingMinReductionPercent;
        return new PainTrend(highest, latest, Math.Round(reduction, 1), responding);
    }

    private sealed record PainTrend(Measurement Highest, Measurement Latest, decimal ReductionPercent, bool Responding);
}
