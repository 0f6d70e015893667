using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// One of the six covered indications, for the lesion at the treated level: osteoporotic VCF, steroid-induced
/// fracture, osteolytic metastasis or multiple myeloma involving that vertebral body, hemangioma with aggressive
/// features, unstable fracture due to osteonecrosis. Suspected diagnoses are not indications. Not met only when
/// the documented cause is one the policy does not cover; a covered indication awaiting a detail is unknown.
/// </summary>
public sealed class IndicationCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.Indication;
    public override string Title => "Covered indication";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "Observation", "DiagnosticReport"];

    public override IReadOnlyList<string> ValueSetsRead { get; } =
    [
        "osteoporotic-vertebral-fracture", "collapsed-vertebra", "osteoporosis", "glucocorticoid-exposure", "vertebral-metastasis", "multiple-myeloma",
        "vertebral-hemangioma", "vertebral-osteonecrosis", "traumatic-vertebral-fracture", "high-energy-vertebral-fracture", "current-vertebral-fracture",
        "non-covered-vertebral-indications", "osteoporotic-fracture-site-in-body-site",
    ];

    public override IReadOnlyList<string> FindingsRead { get; } =
    [
        FindingCodes.HemangiomaAggressiveFeatures, FindingCodes.OsteonecrosisUnstableFracture, FindingCodes.MetastasisOsteolyticAtLevel,
        FindingCodes.SteroidInducedFracture, FindingCodes.OsteoporoticFracture,
    ];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var facts = context.Facts;
        var vs = context.ValueSets;
        var lesion = context.Lesion;
        var prefix = context.Episode.LevelPrefix;
        if (lesion is null)
        {
            var where = context.Episode.TreatedLevel is { } level ? "at " + level.Label : "in the region of CPT " + context.Order.ProcedureCode;
            return Unknown($"No vertebral lesion is documented {where} (a fracture, collapse, tumour, hemangioma or osteonecrosis with its site).");
        }

        // Each confirmed finding is read against the indication ValueSets once; the lists below select from that reading.
        var confirmed = ReadConfirmed(lesion, vs);
        var suspected = SuspectedFindings(lesion);

        var osteoporoticFracture = Joined(Confirmed(confirmed, static f => f.OsteoporoticFracture), Confirmed(confirmed, static f => f.OsteoporoticFractureSite));
        var collapsed = Confirmed(confirmed, static f => f.Collapsed);
        var injury = Confirmed(confirmed, static f => f.Traumatic);
        var highEnergy = Confirmed(confirmed, static f => f.HighEnergy);
        var fractureHere = Confirmed(confirmed, static f => f.CurrentFracture || f.Collapsed);
        var otherPathological = Confirmed(confirmed, static f => f.CurrentFracture && !f.Metastasis && !f.OsteoporoticFracture && !f.Traumatic && !f.Collapsed);
        var tumourHere = Confirmed(confirmed, static f => f.Finding.Tumour && f.Metastasis);
        var myelomaHere = Confirmed(confirmed, static f => f.Myeloma);
        var hemangioma = Confirmed(confirmed, static f => f.Hemangioma);
        var osteonecrosis = Confirmed(confirmed, static f => f.Osteonecrosis);
        var osteoporosis = Patient(facts, vs["osteoporosis"]);
        var steroids = Patient(facts, vs["glucocorticoid-exposure"]);
        var metastaticDisease = MetastaticDisease(facts, vs);
        var myeloma = Patient(facts, vs["multiple-myeloma"]);
        var nonCovered = Patient(facts, vs["non-covered-vertebral-indications"]);
        var neoplasticFracture = Confirmed(confirmed, static f => f.Metastasis && f.CurrentFracture);

        var osteolytic = facts.Attested(FindingCodes.MetastasisOsteolyticAtLevel);
        var aggressive = facts.Attested(FindingCodes.HemangiomaAggressiveFeatures);
        var unstable = facts.Attested(FindingCodes.OsteonecrosisUnstableFracture);
        var steroidInduced = facts.Attested(FindingCodes.SteroidInducedFracture);
        var osteoporoticAnswer = facts.Attested(FindingCodes.OsteoporoticFracture);

        var covered = new List<(string Kind, string Name, IEnumerable<EvidenceItem> Evidence)>();
        var pending = new List<(string Sentence, IEnumerable<EvidenceItem> Evidence)>();
        var notCovered = new List<(string Sentence, IEnumerable<EvidenceItem> Evidence)>();

        if (osteoporoticFracture.Count > 0)
        {
            covered.Add(("indication-osteoporotic-fracture", "osteoporotic vertebral compression fracture", osteoporoticFracture));
        }

        if (collapsed.Count > 0 && osteoporosis.Count > 0)
        {
            covered.Add(("indication-osteoporotic-fracture", "osteoporotic vertebral compression fracture (collapsed vertebra with osteoporosis)", collapsed.Concat(osteoporosis)));
        }

        if (steroids.Count > 0 && (osteoporoticFracture.Count > 0 || collapsed.Count > 0))
        {
            covered.Add(("indication-steroid-induced-fracture", "steroid-induced vertebral fracture", osteoporoticFracture.Concat(collapsed).Concat(steroids)));
        }

        // A tumour counts when it involves this vertebral body: the tumour coded at this level, or a pathological
        // fracture in neoplastic disease here. A blastic metastasis (coded, or answered) is not osteolytic.
        var tumour = tumourHere.Count > 0 || myelomaHere.Count > 0 || neoplasticFracture.Count > 0;
        var neoplasmCoded = tumourHere.Count > 0 || myelomaHere.Count > 0 || metastaticDisease.Count > 0 || myeloma.Count > 0;
        if (tumour && !neoplasmCoded)
        {
            // A pathological fracture in neoplastic disease without the neoplasm: lymphoma is not one of the six.
            if (nonCovered.Count > 0)
            {
                notCovered.Add(("a pathological fracture in a neoplastic disease the policy does not list (" + string.Join(", ", nonCovered.Select(n => n.Code)) + ")", neoplasticFracture.Concat(nonCovered)));
            }
            else
            {
                pending.Add(("A pathological fracture in neoplastic disease is coded, but not the neoplasm: whether it is an osteolytic metastasis or multiple myeloma involving this vertebral body must be documented.", neoplasticFracture));
            }
        }
        else if (tumour)
        {
            var tumourEvidence = tumourHere.Concat(myelomaHere).Concat(neoplasticFracture).Concat(metastaticDisease).Concat(myeloma).Distinct().ToList();
            if (myelomaHere.Count > 0 || (neoplasticFracture.Count > 0 && myeloma.Count > 0 && metastaticDisease.Count == 0))
            {
                covered.Add(("indication-multiple-myeloma", "multiple myeloma involving the vertebral body", tumourEvidence));
            }
            else if (osteolytic?.Answer == false)
            {
                notCovered.Add(("an osteoblastic (not osteolytic) metastasis", tumourEvidence.Append(osteolytic.Evidence())));
            }
            else
            {
                covered.Add(("indication-osteolytic-metastasis", "osteolytic metastatic disease involving the vertebral body", tumourEvidence.Concat(osteolytic?.Answer == true ? [osteolytic.Evidence()] : [])));
            }
        }
        else if ((metastaticDisease.Count > 0 || myeloma.Count > 0) && osteolytic?.Answer == true)
        {
            covered.Add(("indication-osteolytic-metastasis", "osteolytic metastatic disease involving the vertebral body (documented)", metastaticDisease.Concat(myeloma).Append(osteolytic.Evidence())));
        }

        if (hemangioma.Count > 0)
        {
            var fractureSameLevel = fractureHere.Count > 0 && context.Settings.HemangiomaWithFractureIsAggressive;
            if (aggressive?.Answer == true || (aggressive?.Answer != false && fractureSameLevel))
            {
                covered.Add(("indication-hemangioma", "vertebral hemangioma with aggressive features" + (aggressive?.Answer == true ? string.Empty : " (compression fracture at the same level)"),
                    hemangioma.Concat(fractureHere).Concat(aggressive is null ? [] : [aggressive.Evidence()])));
            }
            else if (aggressive?.Answer == false)
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
            if (unstable?.Answer == true)
            {
                covered.Add(("indication-osteonecrosis", "unstable fracture due to osteonecrosis", osteonecrosis.Append(unstable.Evidence())));
            }
            else if (unstable?.Answer == false)
            {
                notCovered.Add(("osteonecrosis without an unstable fracture", osteonecrosis.Append(unstable.Evidence())));
            }
            else
            {
                pending.Add(("Osteonecrosis is coded, but an unstable fracture due to it (e.g. Kummel disease) is not documented.", osteonecrosis));
            }
        }

        if (covered.Count > 0)
        {
            return Met(prefix + "covered indication documented: " + string.Join("; ", covered.Select(c => c.Name)) + ".", covered.SelectMany(c => c.Evidence))
                with { Conclusion = IndicationCode(context, covered[0].Kind) };
        }

        if (collapsed.Count > 0 && osteoporoticAnswer?.Answer == true)
        {
            return Met(prefix + "osteoporotic vertebral compression fracture (documented cause of the collapse).", collapsed.Append(osteoporoticAnswer.Evidence()))
                with { Conclusion = IndicationCode(context, "indication-osteoporotic-fracture") };
        }

        if (otherPathological.Count > 0 && injury.Count == 0 && collapsed.Count == 0 && !tumour)
        {
            if (nonCovered.Count > 0)
            {
                notCovered.Add(("a pathological fracture caused by a condition the policy does not list (" + string.Join(", ", nonCovered.Select(n => n.Code)) + ")", otherPathological.Concat(nonCovered)));
            }
            else
            {
                pending.Add(("A pathological vertebral fracture is coded without its cause (osteoporosis, glucocorticoids or tumour).", otherPathological));
            }
        }

        if (injury.Count > 0 || collapsed.Count > 0)
        {
            var fractureEvidence = injury.Concat(collapsed).ToList();
            if (steroidInduced?.Answer == true && steroids.Count > 0)
            {
                return Met(prefix + "steroid-induced vertebral (insufficiency) fracture (documented).", fractureEvidence.Concat(steroids).Append(steroidInduced.Evidence()))
                    with { Conclusion = IndicationCode(context, "indication-steroid-induced-fracture") };
            }

            if (highEnergy.Count > 0 && osteoporosis.Count == 0)
            {
                notCovered.Add(("a high-energy traumatic (burst) fracture", highEnergy));
            }
            else if (nonCovered.Count > 0)
            {
                notCovered.Add(("a vertebral lesion caused by a condition the policy does not list (" + string.Join(", ", nonCovered.Select(n => n.Code)) + ")", fractureEvidence.Concat(nonCovered)));
            }
            else if (osteoporosis.Count > 0 && injury.Count > 0)
            {
                pending.Add(("A vertebral fracture is coded as an injury in a patient with osteoporosis; documentation must say whether it is an osteoporotic (low-energy) compression fracture.", fractureEvidence.Concat(osteoporosis)));
            }
            else if (steroids.Count > 0 && steroidInduced?.Answer != false)
            {
                pending.Add(("A vertebral fracture is coded in a patient on long-term glucocorticoids without an osteoporosis code; documentation must say whether it is a steroid-induced insufficiency fracture.", fractureEvidence.Concat(steroids)));
            }
            else if (collapsed.Count > 0 && osteoporoticAnswer?.Answer != false)
            {
                pending.Add(("A collapsed vertebra is coded without its cause (osteoporosis, glucocorticoids or tumour).", collapsed));
            }
            else
            {
                notCovered.Add(("a traumatic vertebral fracture without osteoporosis, glucocorticoid use or neoplasm", fractureEvidence));
            }
        }

        if (!tumour && (metastaticDisease.Count > 0 || myeloma.Count > 0) && osteolytic?.Answer != false)
        {
            pending.Add(("Metastatic disease or myeloma is coded, but not that it is osteolytic and involves the vertebral body to be treated.", metastaticDisease.Concat(myeloma)));
        }

        if (suspected.Count > 0)
        {
            pending.Add(("Suspected, not confirmed: " + string.Join(", ", suspected.Select(s => s.Code.Code)) + " (provisional or differential diagnosis).", suspected.Select(s => s.Evidence())));
        }

        if (pending.Count > 0)
        {
            // The indication the open question is about, so the questionnaire can pre-select it.
            var likely = hemangioma.Count > 0 ? "indication-hemangioma"
                : osteonecrosis.Count > 0 ? "indication-osteonecrosis"
                : metastaticDisease.Count > 0 || tumour ? "indication-osteolytic-metastasis"
                : myeloma.Count > 0 ? "indication-multiple-myeloma"
                : steroids.Count > 0 && osteoporosis.Count == 0 && (injury.Count > 0 || collapsed.Count > 0) ? "indication-steroid-induced-fracture"
                : injury.Count > 0 || collapsed.Count > 0 || osteoporoticFracture.Count > 0 || suspected.Count > 0 ? "indication-osteoporotic-fracture"
                : null;
            return Unknown(prefix + string.Join(" ", pending.Select(p => p.Sentence)), pending.SelectMany(p => p.Evidence).Concat(notCovered.SelectMany(n => n.Evidence)))
                with { Conclusion = likely is null ? null : IndicationCode(context, likely) };
        }

        if (notCovered.Count > 0)
        {
            return NotMet(
                prefix + "only " + string.Join(" and ", notCovered.Select(n => n.Sentence)) + " is documented; the policy covers only its six listed indications.",
                notCovered.SelectMany(n => n.Evidence));
        }

        return Unknown(prefix + "the lesion's cause is not coded as a covered indication (osteoporotic or steroid-induced vertebral fracture, osteolytic metastasis, multiple myeloma, aggressive vertebral hemangioma, unstable fracture due to osteonecrosis).",
            lesion.Findings.Select(f => f.Evidence()));
    }

    /// <summary>A confirmed finding at the treated level and what the indication ValueSets say it is.</summary>
    private readonly record struct ConfirmedFinding(
        LesionFinding Finding,
        bool OsteoporoticFracture,
        bool OsteoporoticFractureSite,
        bool Collapsed,
        bool Traumatic,
        bool HighEnergy,
        bool CurrentFracture,
        bool Metastasis,
        bool Myeloma,
        bool Hemangioma,
        bool Osteonecrosis);

    private static List<ConfirmedFinding> ReadConfirmed(Lesion lesion, PolicyValueSets vs)
    {
        var osteoporotic = vs["osteoporotic-vertebral-fracture"];
        var osteoporoticSite = vs["osteoporotic-fracture-site-in-body-site"];
        var collapsed = vs["collapsed-vertebra"];
        var traumatic = vs["traumatic-vertebral-fracture"];
        var highEnergy = vs["high-energy-vertebral-fracture"];
        var currentFracture = vs["current-vertebral-fracture"];
        var metastasis = vs["vertebral-metastasis"];
        var myeloma = vs["multiple-myeloma"];
        var hemangioma = vs["vertebral-hemangioma"];
        var osteonecrosis = vs["vertebral-osteonecrosis"];

        var confirmed = new List<ConfirmedFinding>(lesion.Findings.Count);
        foreach (var finding in lesion.Findings)
        {
            if (finding.Suspected)
            {
                continue;
            }

            var concept = finding.Concept;
            confirmed.Add(new ConfirmedFinding(
                finding,
                OsteoporoticFracture: osteoporotic.ContainsAny(concept),
                OsteoporoticFractureSite: osteoporoticSite.ContainsAny(concept),
                Collapsed: collapsed.ContainsAny(concept),
                Traumatic: traumatic.ContainsAny(concept),
                HighEnergy: highEnergy.ContainsAny(concept),
                CurrentFracture: currentFracture.ContainsAny(concept),
                Metastasis: metastasis.ContainsAny(concept),
                Myeloma: myeloma.ContainsAny(concept),
                Hemangioma: hemangioma.ContainsAny(concept),
                Osteonecrosis: osteonecrosis.ContainsAny(concept)));
        }

        return confirmed;
    }

    // Most of the selections match nothing in a chart: an empty answer builds no list (`found ?? []` would build one).
    private static IReadOnlyList<EvidenceItem> Confirmed(List<ConfirmedFinding> confirmed, Func<ConfirmedFinding, bool> matches)
    {
        List<EvidenceItem>? found = null;
        foreach (var finding in confirmed)
        {
            if (matches(finding))
            {
                (found ??= []).Add(finding.Finding.Evidence());
            }
        }

        if (found is null)
        {
            return [];
        }

        return found;
    }

    private static IReadOnlyList<LesionFinding> SuspectedFindings(Lesion lesion)
    {
        List<LesionFinding>? suspected = null;
        foreach (var finding in lesion.Findings)
        {
            if (finding.Suspected)
            {
                (suspected ??= []).Add(finding);
            }
        }

        if (suspected is null)
        {
            return [];
        }

        return suspected;
    }

    private static IReadOnlyList<EvidenceItem> Joined(IReadOnlyList<EvidenceItem> first, IReadOnlyList<EvidenceItem> second) =>
        second.Count == 0 ? first : first.Count == 0 ? second : [.. first, .. second];

    /// <summary>The patient's confirmed conditions in <paramref name="set"/>, as evidence.</summary>
    private static IReadOnlyList<EvidenceItem> Patient(ClinicalFacts facts, CodeSet set)
    {
        var conditions = facts.ConditionsIn(set);
        if (conditions.Count == 0)
        {
            return [];
        }

        var found = new List<EvidenceItem>(conditions.Count);
        foreach (var (condition, code) in conditions)
        {
            found.Add(ClinicalFacts.ConditionEvidence(condition, code));
        }

        return found;
    }

    /// <summary>Metastatic disease coded on its own, not as a pathological fracture (which is a finding at a level).</summary>
    private static IReadOnlyList<EvidenceItem> MetastaticDisease(ClinicalFacts facts, PolicyValueSets vs)
    {
        var fracture = vs["current-vertebral-fracture"];
        List<EvidenceItem>? found = null;
        foreach (var (condition, code) in facts.ConditionsIn(vs["vertebral-metastasis"]))
        {
            if (!fracture.Contains(code))
            {
                (found ??= []).Add(ClinicalFacts.ConditionEvidence(condition, code));
            }
        }

        if (found is null)
        {
            return [];
        }

        return found;
    }

    /// <summary>The indication as a code of our finding CodeSystem (the questionnaire's answer list), with its display.</summary>
    private static Hl7.Fhir.Model.Coding IndicationCode(CriterionContext context, string code) =>
        new(CodeSystems.Finding, code, context.Facts.Policy.DisplayOf(CodeSystems.Finding, code));
}
