using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// The treated vertebral body is known (decision model, Version 2: the treated vertebral body is the unit of
/// decision). Met when the order names the level, its reason names the lesion, the surgeon answered which
/// level, or the CPT region holds one documented lesion. Unknown when the region holds lesions that would be
/// decided differently (never the most favourable one), when an add-on unit has no distinct documented level
/// of its own, when an add-on has no primary code of its family, and when the level was already augmented
/// (a repeat is asked about, not approved on the spot).
/// </summary>
public sealed class TreatedLevelCriterion : CoverageCriterion
{
    public const string AmbiguousFlag = "treated-level-ambiguous";

    public override string Id => CriterionCodes.TreatedLevel;
    public override string Title => "Treated vertebral body identified";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "Procedure"];
    public override IReadOnlyList<string> FindingsRead { get; } = [FindingCodes.TreatedLevel];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var episode = context.Episode;
        var unit = episode.Unit;
        var lesionEvidence = episode.LesionEvidence;
        switch (unit.Basis)
        {
            case TreatedLevelBasis.AddOnWithoutPrimary:
            case TreatedLevelBasis.NoDistinctLevel:
                return Unknown(unit.Note, lesionEvidence);
        }

        if (context.Lesion is { Level: { IsExact: true } level } && PriorAugmentationAt(context.Facts, level, episode.PlannedDate) is { } prior)
        {
            return Unknown(
                $"{level.Label} was already treated by vertebral augmentation{On(prior.Date)}; whether a repeat augmentation of the same vertebra is intended, and why, must be documented.",
                lesionEvidence.Append(prior.Evidence()));
        }

        return Met(unit.Note, lesionEvidence);
    }

    /// <summary>The first augmentation of <paramref name="level"/> recorded on or before the planned date (or undated).</summary>
    private static PriorAugmentation? PriorAugmentationAt(ClinicalFacts facts, Lesions.VertebralLevel level, DateOnly plannedDate)
    {
        foreach (var prior in facts.PriorAugmentations)
        {
            if (prior.Level == level && (prior.Date is null || prior.Date.Value.Earliest <= plannedDate))
            {
                return prior;
            }
        }

        return null;
    }

    /// <summary>
    /// The result when the region holds several lesions that the policy decides differently: which one is
    /// treated must be documented, and each lesion's reading is shown.
    /// </summary>
    public CriterionResult Ambiguous(InScopeOrder order, IReadOnlyList<(Lesions.Lesion Lesion, string Outcome)> readings) =>
        Unknown(
            $"CPT {order.ProcedureCode} does not say which vertebral body is treated, and the region holds lesions the policy decides differently: "
            + string.Join("; ", readings.Select(r => r.Lesion.Describe() + " would be " + r.Outcome))
            + ". Name the treated level on the order or in the documentation.",
            readings.SelectMany(r => r.Lesion.Findings.Select(f => f.Evidence()))) with { Flags = [AmbiguousFlag] };
}
