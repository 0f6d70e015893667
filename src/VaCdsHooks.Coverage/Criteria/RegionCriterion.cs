using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// The lesion is in a cervical, thoracic or lumbar vertebral body: from the ICD-10-CM region character, the
/// condition's body site, or, when no lesion site is coded, the CPT code's own region (not for codes that
/// include the sacrum, such as 22511 lumbosacral).
/// </summary>
public sealed class RegionCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.Region;
    public override string Title => "Cervical, thoracic or lumbar vertebral body";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var inCoveredRegion = facts.Lesions.Where(l => l.Regions.Any(r => r.IsCoveredRegion())).ToList();
        if (inCoveredRegion.Count > 0)
        {
            var regions = inCoveredRegion.SelectMany(l => l.Regions).Where(r => r.IsCoveredRegion()).Distinct().Order().Select(r => r.Describe());
            return Met($"Lesion documented in the {string.Join(" and ", regions)} spine.", inCoveredRegion.SelectMany(RegionEvidence));
        }

        var sacralOnly = facts.Lesions.Where(l => l.Regions.Count > 0).ToList();
        if (sacralOnly.Count > 0)
        {
            return NotMet("The only lesion site documented is the sacrum or coccyx.", sacralOnly.SelectMany(RegionEvidence));
        }

        var procedureRegions = facts.ValueSets.ProcedureRegions.Where(p => p.Value.Contains(order.Procedure)).Select(p => p.Key).Order().ToList();
        if (procedureRegions.Count > 0 && procedureRegions.All(r => r.IsCoveredRegion()))
        {
            return Met(
                $"No lesion site is coded; CPT {order.ProcedureCode} ({order.ProcedureLabel}) itself names the {string.Join(" or ", procedureRegions.Select(r => r.Describe()))} spine.",
                [new EvidenceItem(order.Reference, CodeSystems.Cpt, order.ProcedureCode, order.ProcedureLabel)]);
        }

        return Unknown("No lesion site is coded: the diagnosis codes name no spinal region and carry no body site, and the CPT code does not settle it.");
    }

    private static IEnumerable<EvidenceItem> RegionEvidence(Lesion lesion) =>
        lesion.RegionCodes.Count == 0
            ? [lesion.Evidence()]
            : lesion.RegionCodes.Select(c => EvidenceItem.Of(lesion.Condition, c, date: lesion.Onset is { } onset ? "onset " + onset.Text : null));
}
