using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>Clinical evidence of spinal cord compression (cord compression, myelopathy; coded on the problem list or in a CT/MRI report's conclusion).</summary>
public sealed class CordCompressionExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.CordCompression;
    public override string Title => "Spinal cord compression";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "DiagnosticReport", "Observation"];
    public override IReadOnlyList<string> ValueSetsRead { get; } = ["spinal-cord-compression"];
    protected override string AttestationCode => FindingCodes.SpinalCordCompression;
    protected override string Noun => "spinal cord compression";

    protected override ExclusionFinding? FindPresence(CriterionContext context)
    {
        var set = context.ValueSets["spinal-cord-compression"];
        var conditions = context.Facts.ConditionsIn(set);
        var reportFindings = context.Facts.ReportFindingsIn(set);
        if (conditions.Count == 0 && reportFindings.Count == 0)
        {
            return null;
        }

        var coded = new List<EvidenceItem>(conditions.Count + reportFindings.Count);
        foreach (var (condition, code) in conditions)
        {
            coded.Add(ClinicalFacts.ConditionEvidence(condition, code));
        }

        foreach (var (report, code) in reportFindings)
        {
            coded.Add(EvidenceItem.Of(report, code));
        }

        return new ExclusionFinding("Spinal cord compression or myelopathy is coded.", coded);
    }

    protected override ExclusionFinding? FindSuspicion(CriterionContext context)
    {
        var suspected = context.Facts.SuspectedIn(context.ValueSets["spinal-cord-compression"]);
        return suspected.Count == 0 ? null : new ExclusionFinding("Spinal cord compression is suspected (provisional diagnosis).", suspected.Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code)).ToList());
    }
}

/// <summary>
/// Significant collapse at the treated level: the vertebra reduced to a third or less of its height (height
/// loss at or above the configured percentage, default 66.7 %), measured at that level.
/// </summary>
public sealed class SevereCollapseExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.SevereCollapse;
    public override string Title => "Severe vertebral collapse";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation", "ImagingStudy", "DiagnosticReport"];
    protected override string AttestationCode => FindingCodes.SevereVertebralCollapse;
    protected override string Noun => "severe vertebral collapse (a third or less of its height left)";

    protected override ExclusionFinding? FindPresence(CriterionContext context)
    {
        var threshold = context.Settings.SevereCollapseMinHeightLossPercent;
        var latest = context.Episode.HeightLoss.LastOrDefault();
        return latest is not null && latest.Value >= threshold
            ? new ExclusionFinding($"Vertebral height loss of {Score(latest.Value)} %{On(latest.Date)} reaches {Score(threshold)} %: a third or less of the vertebra's height is left.", [latest.Evidence()])
            : null;
    }

    protected override ExclusionFinding? FindDirectAbsence(CriterionContext context)
    {
        var threshold = context.Settings.SevereCollapseMinHeightLossPercent;
        var latest = context.Episode.HeightLoss.LastOrDefault();
        return latest is not null
            ? new ExclusionFinding($"Measured vertebral height loss of {Score(latest.Value)} %{On(latest.Date)} is below {Score(threshold)} %.", [latest.Evidence()])
            : null;
    }
}

/// <summary>
/// Healed fracture at the treated level: the lesion is coded only as sequela (7th character S) or as a healed
/// fracture. A malunion (7th character P) united, but whether CT/MRI shows it healed is a question (unknown).
/// A current fracture code beside a sequela code means the vertebra broke again.
/// </summary>
public sealed class HealedFractureExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.Healed;
    public override string Title => "Healed fracture";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "DiagnosticReport", "Observation"];
    protected override string AttestationCode => FindingCodes.HealedFracture;
    protected override string Noun => "a healed fracture";

    protected override ExclusionFinding? FindPresence(CriterionContext context) =>
        context.Lesion is { } lesion && EveryConfirmed(lesion, HealingState.Healed)
            ? new ExclusionFinding("The fracture at this level is coded only as healed (sequela or history of a healed fracture), with no current fracture code.", ConfirmedEvidence(lesion, null))
            : null;

    protected override ExclusionFinding? FindSuspicion(CriterionContext context)
    {
        if (context.Lesion is not { } lesion || !NoConfirmedCurrent(lesion))
        {
            return null;
        }

        var malunion = ConfirmedEvidence(lesion, HealingState.Malunion);
        return malunion.Count > 0
            ? new ExclusionFinding("The fracture at this level is coded as a malunion (7th character P): it has united.", malunion)
            : null;
    }

    /// <summary>Whether the lesion has confirmed findings and every one of them is coded <paramref name="healing"/>.</summary>
    private static bool EveryConfirmed(Lesion lesion, HealingState healing)
    {
        var any = false;
        foreach (var finding in lesion.Findings)
        {
            if (finding.Suspected)
            {
                continue;
            }

            if (finding.Healing != healing)
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static bool NoConfirmedCurrent(Lesion lesion)
    {
        foreach (var finding in lesion.Findings)
        {
            if (!finding.Suspected && finding.Healing == HealingState.Current)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Evidence of the confirmed findings coded <paramref name="healing"/> (all of them when null).</summary>
    private static List<EvidenceItem> ConfirmedEvidence(Lesion lesion, HealingState? healing)
    {
        var evidence = new List<EvidenceItem>();
        foreach (var finding in lesion.Findings)
        {
            if (!finding.Suspected && (healing is null || finding.Healing == healing))
            {
                evidence.Add(finding.Evidence());
            }
        }

        return evidence;
    }
}

/// <summary>Lesions of the sacrum or coccyx: the treated level is sacral or coccygeal.</summary>
public sealed class SacrumCoccyxExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.SacrumCoccyx;
    public override string Title => "Sacral or coccygeal lesion";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "ImagingStudy", "Observation"];
    protected override string AttestationCode => FindingCodes.SacrococcygealLesionOnly;
    protected override string Noun => "a lesion of the sacrum or coccyx";

    protected override ExclusionFinding? FindPresence(CriterionContext context) =>
        context.Episode.TreatedLevel is { Region: SpinalRegion.SacrumCoccyx } level
            ? new ExclusionFinding($"The treated lesion is in the sacrum or coccyx ({level.Label}).", context.Episode.LesionEvidence)
            : null;

    protected override ExclusionFinding? FindDirectAbsence(CriterionContext context)
    {
        if (context.Episode.TreatedLevel is { } level)
        {
            return new ExclusionFinding($"The treated vertebral body is {(level.IsExact ? level.Label : "in the " + level.Label)}, not sacral or coccygeal.", context.Episode.LesionEvidence);
        }

        var order = context.Order;
        return order.CptRegions.Count > 0 && order.CptRegions.All(r => r.IsCoveredRegion())
            ? new ExclusionFinding($"CPT {order.ProcedureCode} ({order.ProcedureLabel}) names no sacral level.", [new EvidenceItem(order.Reference, CodeSystems.Cpt, order.ProcedureCode, order.ProcedureLabel)])
            : null;
    }
}

/// <summary>Asymptomatic fracture: the latest pain score in the episode is 0/10 (ruled out by pain above 0, or pain recorded as a severity).</summary>
public sealed class AsymptomaticExclusion : ExclusionCriterion
{
    public override string Id => CriterionCodes.Asymptomatic;
    public override string Title => "Asymptomatic fracture";
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation"];
    protected override string AttestationCode => FindingCodes.AsymptomaticFracture;
    protected override string Noun => "an asymptomatic fracture";
    protected override bool RuledOutByCrossSectionalImaging => false;
    protected override string UnknownWithoutImaging => "No pain score since onset is recorded, so an asymptomatic fracture cannot be ruled out.";

    protected override ExclusionFinding? FindPresence(CriterionContext context) =>
        context.Episode.LatestPain is { Value: <= 0 } pain
            ? new ExclusionFinding($"The latest pain score is 0/10{On(pain.Date)}: the fracture is asymptomatic.", [pain.Evidence()])
            : null;

    protected override ExclusionFinding? FindDirectAbsence(CriterionContext context)
    {
        if (context.Episode.LatestPain is { Value: > 0 } pain)
        {
            return new ExclusionFinding($"The latest pain score is {Score(pain.Value)}/10{On(pain.Date)}: the fracture is symptomatic.", [pain.Evidence()]);
        }

        return context.Episode.LatestPain is null && context.Episode.PainFindings.LastOrDefault() is { } coded
            ? new ExclusionFinding("Pain is recorded as a coded severity: the fracture is symptomatic.", [EvidenceItem.Of(coded, coded.Code?.Coding.FirstOrDefault(), date: ClinicalDate.From(coded.Effective)?.Text)])
            : null;
    }
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
    protected override string UnknownWithoutImaging => "Pain scores over time since onset are not recorded, so a response to conservative therapy cannot be ruled out.";

    protected override ExclusionFinding? FindPresence(CriterionContext context)
    {
        return Trend(context) is { Responding: true } t
            ? new ExclusionFinding($"Pain fell from {Score(t.Highest.Value)}/10 to {Score(t.Latest.Value)}/10{On(t.Latest.Date)} ({Score(t.ReductionPercent)} % lower): the fracture is responding to conservative therapy.", [t.Highest.Evidence(), t.Latest.Evidence()])
            : null;
    }

    protected override ExclusionFinding? FindDirectAbsence(CriterionContext context)
    {
        var settings = context.Settings;
        if (Trend(context) is not { } trend)
        {
            return null;
        }

        if (trend.Latest.Value > settings.RespondingMaxPainScore)
        {
            return new ExclusionFinding($"The latest pain score is {Score(trend.Latest.Value)}/10{On(trend.Latest.Date)}, above {Score(settings.RespondingMaxPainScore)}/10: not an appropriate response.", [trend.Latest.Evidence()]);
        }

        // A low score is a response only if it fell enough from the highest; with one score we cannot tell.
        return trend.Highest != trend.Latest && trend.ReductionPercent < settings.RespondingMinReductionPercent
            ? new ExclusionFinding($"Pain went from {Score(trend.Highest.Value)}/10 to {Score(trend.Latest.Value)}/10, only {Score(trend.ReductionPercent)} % lower: not an appropriate response.", [trend.Highest.Evidence(), trend.Latest.Evidence()])
            : null;
    }

    private static PainTrend? Trend(CriterionContext context)
    {
        var sinceOnset = context.Episode.PainScores;
        if (sinceOnset.Count == 0)
        {
            return null;
        }

        var latest = sinceOnset[^1];
        var highest = Highest(sinceOnset);
        var reduction = highest.Value > 0 ? (highest.Value - latest.Value) / highest.Value * 100m : 0m;
        var settings = context.Settings;
        var responding = highest != latest && latest.Value <= settings.RespondingMaxPainScore && reduction >= settings.RespondingMinReductionPercent;
        return new PainTrend(highest, latest, Math.Round(reduction, 1), responding);
    }

    /// <summary>The highest score since onset; among equal scores the earliest.</summary>
    private static Measurement Highest(IReadOnlyList<Measurement> scores)
    {
        var highest = scores[0];
        for (var i = 1; i < scores.Count; i++)
        {
            var score = scores[i];
            if (score.Value > highest.Value || (score.Value == highest.Value && Nullable.Compare(score.Date?.SortKey, highest.Date?.SortKey) < 0))
            {
                highest = score;
            }
        }

        return highest;
    }

    // Read by both rules of one evaluation: a value, so reading it twice allocates nothing.
    private readonly record struct PainTrend(Measurement Highest, Measurement Latest, decimal ReductionPercent, bool Responding);
}
