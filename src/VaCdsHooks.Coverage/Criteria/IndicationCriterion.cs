using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// One of the six covered indications. Not met only when an indication the policy does not cover is documented
/// and no covered one is (decision model rule 1); a covered indication awaiting a detail (aggressive features,
/// instability, cause of a collapse) is unknown.
/// </summary>
public sealed class IndicationCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.Indication;
    public override string Title => "Covered indication";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "Observation"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var vs = facts.ValueSets;
        var osteoporotic = Evidence(facts, vs.OsteoporoticVertebralFracture);
        var collapsed = Evidence(facts, vs.CollapsedVertebra);
        var osteoporosis = Evidence(facts, vs.Osteoporosis);
        var steroids = Evidence(facts, vs.GlucocorticoidExposure);
        var metastasis = Evidence(facts, vs.VertebralMetastasis);
        var myeloma = Evidence(facts, vs.MultipleMyeloma);
        var hemangioma = Evidence(facts, vs.VertebralHemangioma);
        var osteonecrosis = Evidence(facts, vs.VertebralOsteonecrosis);
        var traumatic = Evidence(facts, vs.TraumaticVertebralFracture);

        var covered = new List<(string Name, IEnumerable<EvidenceItem> Evidence)>();
        if (osteoporotic.Count > 0)
        {
            covered.Add(("osteoporotic vertebral compression fracture", osteoporotic));
        }

        if (collapsed.Count > 0 && osteoporosis.Count > 0)
        {
            covered.Add(("osteoporotic vertebral compression fracture (collapsed vertebra with osteoporosis)", collapsed.Concat(osteoporosis)));
        }

        if (steroids.Count > 0 && (osteoporotic.Count > 0 || collapsed.Count > 0))
        {
            covered.Add(("steroid-induced vertebral fracture", osteoporotic.Concat(collapsed).Concat(steroids)));
        }

        if (metastasis.Count > 0)
        {
            covered.Add(("osteolytic metastatic disease", metastasis));
        }

        if (myeloma.Count > 0)
        {
            covered.Add(("multiple myeloma", myeloma));
        }

        var aggressive = facts.Attested(FindingCodes.HemangiomaAggressiveFeatures);
        var unstable = facts.Attested(FindingCodes.OsteonecrosisUnstableFracture);
        if (hemangioma.Count > 0 && aggressive?.Answer == true)
        {
            covered.Add(("vertebral hemangioma with aggressive features", hemangioma.Append(aggressive.Evidence())));
        }

        if (osteonecrosis.Count > 0 && unstable?.Answer == true)
        {
            covered.Add(("unstable fracture due to osteonecrosis", osteonecrosis.Append(unstable.Evidence())));
        }

        if (covered.Count > 0)
        {
            return Met(
                "Covered indication documented: " + string.Join("; ", covered.Select(c => c.Name)) + ".",
                covered.SelectMany(c => c.Evidence));
        }

        var pending = new List<(string Sentence, IEnumerable<EvidenceItem> Evidence)>();
        var notCovered = new List<(string Sentence, IEnumerable<EvidenceItem> Evidence)>();

        if (hemangioma.Count > 0)
        {
            if (aggressive?.Answer == false)
            {
                notCovered.Add(("a vertebral hemangioma without aggressive features", hemangioma.Append(aggressive.Evidence())));
            }
            else
            {
                pending.Add(("A vertebral hemangioma is coded, but whether it has aggressive features (extra-osseous extension, bone expansion, disturbed blood flow, compression fracture) is not documented.", hemangioma));
            }
        }

        if (osteonecrosis.Count > 0)
        {
            if (unstable?.Answer == false)
            {
                notCovered.Add(("osteonecrosis without an unstable fracture", osteonecrosis.Append(unstable.Evidence())));
            }
            else
            {
                pending.Add(("Osteonecrosis is coded, but an unstable fracture due to it (e.g. Kummel disease) is not documented.", osteonecrosis));
            }
        }

        if (collapsed.Count > 0)
        {
            pending.Add(("A collapsed vertebra is coded without its cause (osteoporosis, glucocorticoids or tumour).", collapsed));
        }

        if (traumatic.Count > 0)
        {
            if (osteoporosis.Count > 0)
            {
                pending.Add(("A vertebral fracture is coded as an injury in a patient with osteoporosis; documentation must say whether it is an osteoporotic compression fracture.", traumatic.Concat(osteoporosis)));
            }
            else
            {
                notCovered.Add(("a traumatic vertebral fracture without osteoporosis or neoplasm", traumatic));
            }
        }

        if (pending.Count > 0)
        {
            return Unknown(string.Join(" ", pending.Select(p => p.Sentence)), pending.SelectMany(p => p.Evidence).Concat(notCovered.SelectMany(n => n.Evidence)));
        }

        if (notCovered.Count > 0)
        {
            return NotMet(
                "Only " + string.Join(" and ", notCovered.Select(n => n.Sentence)) + " is documented; the policy covers only its six listed indications.",
                notCovered.SelectMany(n => n.Evidence));
        }

        return Unknown("No covered indication is coded (osteoporotic or steroid-induced vertebral fracture, osteolytic metastasis, multiple myeloma, aggressive vertebral hemangioma, unstable fracture due to osteonecrosis).");
    }

    private static List<EvidenceItem> Evidence(ClinicalFacts facts, CodeSet set) =>
        facts.ConditionsIn(set).Select(c => ClinicalFacts.ConditionEvidence(c.Condition, c.Code)).ToList();
}
