using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// The treated vertebral body is cervical, thoracic or lumbar: from the lesion's level (body site, vertebra,
/// ICD-10-CM region character), else the level the order names, else the CPT code's own region when it names
/// only covered regions (22513 thoracic, 22514 lumbar, 22510 cervicothoracic; not 22511 lumbosacral).
/// </summary>
public sealed class RegionCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.Region;
    public override string Title => "Cervical, thoracic or lumbar vertebral body";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition"];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var order = context.Order;
        var level = context.Episode.TreatedLevel;
        var evidence = SiteEvidence(context);
        if (level is { } treated)
        {
            return treated.Region.IsCoveredRegion()
                ? Met($"The treated vertebral body is {Describe(treated)}.", evidence)
                : NotMet($"The treated lesion is in the sacrum or coccyx ({treated.Label}).", evidence);
        }

        var regions = order.CptRegions.Order().ToList();
        if (regions.Count > 0 && regions.All(r => r.IsCoveredRegion()))
        {
            return Met(
                $"No lesion site is coded; CPT {order.ProcedureCode} ({order.ProcedureLabel}) itself names the {string.Join(" or ", regions.Select(r => r.Describe()))} spine.",
                evidence.Append(new EvidenceItem(order.Reference, CodeSystems.Cpt, order.ProcedureCode, order.ProcedureLabel)));
        }

        return Unknown("No lesion site is coded: the diagnosis codes name no spinal region and carry no body site, and the CPT code does not settle it.", evidence);
    }

    /// <summary>The lesion's findings, then the body site each diagnosis carries (its first coded one).</summary>
    private static List<EvidenceItem> SiteEvidence(CriterionContext context)
    {
        var findings = context.Episode.LesionEvidence;
        var evidence = new List<EvidenceItem>(findings.Count * 2);
        evidence.AddRange(findings);
        if (context.Lesion is null)
        {
            return evidence;
        }

        foreach (var finding in context.Lesion.Findings)
        {
            if (finding.Source is not Condition condition)
            {
                continue;
            }

            foreach (var site in condition.BodySite)
            {
                if (site.Coding.Count > 0)
                {
                    evidence.Add(EvidenceItem.Of(condition, site.Coding[0]));
                    break;
                }
            }
        }

        return evidence;
    }

    private static string Describe(Lesions.VertebralLevel level) =>
        level.IsExact ? $"{level.Label} ({level.Region.Describe()})" : "in the " + level.Label;
}
