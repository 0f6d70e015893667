using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Failed to respond to Optimal Medical Therapy, in the ACR words the policy quotes: "pain refractory to oral
/// medications (NSAIDs and/or narcotics) or a contraindication to such medications or a requirement for
/// parenteral narcotics and hospital admission". Inside the episode of the treated lesion: an analgesic trial
/// (NSAID, acetaminophen, opioid; not low-dose aspirin) lasting at least the configured days before a later pain
/// score that is still significant; or parenteral opioids or a hospital admission for this pain; or a
/// contraindication or intolerance to both NSAIDs and opioids. Bracing and physical therapy count beside
/// analgesics, not instead. Coded evidence decides first; answers fill what is unknown; conflicts go to a reviewer.
/// </summary>
public sealed class FailedOptimalMedicalTherapyCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.FailedOmt;
    public override string Title => "Failed optimal medical therapy";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["MedicationStatement", "MedicationRequest", "Procedure", "Observation", "Encounter", "AllergyIntolerance"];
    public override IReadOnlyList<string> ValueSetsRead { get; } = ["opioid-intolerance", "nsaid-contraindication"];

    public override IReadOnlyList<string> FindingsRead { get; } =
        [FindingCodes.OptimalMedicalTherapyFailed, FindingCodes.AnalgesicContraindication, FindingCodes.ParenteralOpioidsOrAdmission];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var facts = context.Facts;
        var coded = FromRecord(context);
        var failedAnswer = facts.Attested(FindingCodes.OptimalMedicalTherapyFailed);
        var supportingAnswers = new[]
            {
                facts.Attested(FindingCodes.AnalgesicContraindication),
                facts.Attested(FindingCodes.ParenteralOpioidsOrAdmission),
                failedAnswer,
            }
            .Where(a => a?.Answer == true)
            .Select(a => a!)
            .ToList();

        switch (coded.Status)
        {
            case CriterionStatus.Met when failedAnswer?.Answer == false:
                return Unknown(coded.Explanation + " Yet it is attested that therapy did not fail. A reviewer decides.", coded.Evidence.Append(failedAnswer.Evidence())) with { Flags = ["conflict"] };
            case CriterionStatus.NotMet when supportingAnswers.Count > 0:
                return Unknown(coded.Explanation + " Yet failure of therapy is attested. A reviewer decides.", coded.Evidence.Concat(supportingAnswers.Select(a => a.Evidence()))) with { Flags = ["conflict"] };
            case CriterionStatus.Unknown when supportingAnswers.Count > 0:
                return Met(
                    context.Episode.LevelPrefix + "documented: " + string.Join("; ", supportingAnswers.Select(Describe)) + ".",
                    coded.Evidence.Concat(supportingAnswers.Select(a => a.Evidence())));
            case CriterionStatus.Unknown when failedAnswer?.Answer == false:
                return NotMet(context.Episode.LevelPrefix + "documented that pain responded to optimal medical therapy.", coded.Evidence.Append(failedAnswer.Evidence()));
            default:
                return coded;
        }
    }

    private CriterionResult FromRecord(CriterionContext context)
    {
        var episode = context.Episode;
        var facts = context.Facts;
        var settings = context.Settings;
        var prefix = episode.LevelPrefix;
        var therapies = episode.Therapies;

        var parenteralOpioids = therapies.Where(t => t.Parenteral && t.Class == TherapyClass.Opioid).ToList();
        if (parenteralOpioids.Count > 0)
        {
            return Met(prefix + "pain needed parenteral opioids.", parenteralOpioids.Select(t => t.Evidence()));
        }

        var admissions = AdmissionsFor(context);
        if (admissions.Count > 0)
        {
            return Met(prefix + "the pain needed a hospital admission" + On(admissions[0].Start) + ".", admissions.Select(a => a.Evidence()));
        }

        if (Contraindications(context) is { Count: > 0 } contraindications)
        {
            return Met(prefix + "both NSAIDs and opioids are contraindicated or not tolerated.", contraindications);
        }

        var trials = therapies.Where(t => t.IsAnalgesic).ToList();
        var supportive = therapies.Where(t => !t.IsAnalgesic).ToList();
        if (trials.Count == 0)
        {
            var outside = facts.Therapies.Where(t => t.IsAnalgesic && !therapies.Contains(t)).ToList();
            var why = outside.Count > 0
                ? " Analgesics are recorded, but not for this pain (started before the fracture, stopped before it, not yet taken, or after the planned date)."
                : supportive.Count > 0 ? " Bracing or physical therapy count beside analgesics, not instead of them." : string.Empty;
            return Unknown(prefix + "no analgesic trial (NSAID, acetaminophen or opioid) since pain onset is documented." + why, supportive.Concat(outside).Select(t => t.Evidence()));
        }

        var evidence = trials.Concat(supportive).Select(t => t.Evidence()).ToList();
        var dated = trials.Where(t => t.Started is not null).ToList();
        if (dated.Count == 0)
        {
            return Unknown(prefix + "analgesics are documented without a start date, so it cannot be told whether pain persisted after an adequate trial.", evidence);
        }

        var start = dated.Min(t => t.Started!.Value.Latest);
        var startText = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var minDays = settings.AnalgesicTrialMinDays;
        var after = episode.PainScores.LastOrDefault(p => p.Date is { } d && d.Earliest.DayNumber - start.DayNumber >= minDays);
        if (after is null)
        {
            var early = episode.PainScores.LastOrDefault(p => p.Date is { } d && d.Earliest >= start);
            return Unknown(
                early is null
                    ? $"{prefix}analgesics since {startText} are documented, but no pain score was recorded after they started."
                    : $"{prefix}analgesics since {startText}; the latest pain score ({Score(early.Value)}/10{On(early.Date)}) is less than {minDays} days into the trial, too early to show it failed.",
                early is null ? evidence : evidence.Append(early.Evidence()));
        }

        var threshold = settings.PersistentPainMinScore;
        if (after.Value >= threshold)
        {
            return Met($"{prefix}pain still {Score(after.Value)}/10{On(after.Date)} after analgesics since {startText} (at least {minDays} days).", evidence.Append(after.Evidence()));
        }

        return NotMet($"{prefix}pain fell to {Score(after.Value)}/10{On(after.Date)} on analgesics since {startText}, below {Score(threshold)}/10: therapy has not failed.", evidence.Append(after.Evidence()));
    }

    /// <summary>Evidence that both NSAIDs and opioids are contraindicated or not tolerated; empty unless both are.</summary>
    /// <summary>Admissions in the episode for this pain: their reason names the lesion, or is vertebral in a chart with one lesion.</summary>
    private static List<Admission> AdmissionsFor(CriterionContext context)
    {
        var facts = context.Facts;
        if (facts.Admissions.Count == 0)
        {
            return [];
        }

        var lesionReferences = context.Lesion?.References.ToHashSet(StringComparer.Ordinal) ?? [];
        return facts.Admissions
            .Where(a => context.Episode.Counts(a.Start) && (a.ReasonReferences.Any(lesionReferences.Contains) || (a.ReasonIsVertebral && facts.Lesions.Count <= 1)))
            .ToList();
    }

    private static List<EvidenceItem> Contraindications(CriterionContext context)
    {
        var vs = context.ValueSets;
        var facts = context.Facts;
        var opioidSet = vs["opioid-intolerance"];
        var nsaidSet = vs["nsaid-contraindication"];

        // Both are needed: without an opioid intolerance the conditions that contraindicate NSAIDs are not read.
        var opioid = new List<EvidenceItem>();
        var nsaid = new List<EvidenceItem>();
        foreach (var allergy in facts.Record.AllergyIntolerances)
        {
            if (allergy.VerificationStatus?.Coding.Any(c => c.Code is "refuted" or "entered-in-error") == true
                || (allergy.ClinicalStatus is not null && !allergy.ClinicalStatus.Coding.Any(c => c.Code == "active")))
            {
                continue;
            }

            if (opioidSet.FirstMatch(allergy.Code) is { } opioidCode)
            {
                opioid.Add(EvidenceItem.Of(allergy, opioidCode));
            }

            if (nsaidSet.FirstMatch(allergy.Code) is { } nsaidCode)
            {
                nsaid.Add(EvidenceItem.Of(allergy, nsaidCode));
            }
        }

        if (opioid.Count == 0)
        {
            return [];
        }

        foreach (var (condition, code) in facts.ConditionsIn(nsaidSet))
        {
            nsaid.Add(ClinicalFacts.ConditionEvidence(condition, code));
        }

        return nsaid.Count > 0 ? [.. opioid, .. nsaid] : [];
    }

    private static string Describe(Attestation attestation) => attestation.Code.Code switch
    {
        FindingCodes.AnalgesicContraindication => "analgesics are contraindicated",
        FindingCodes.ParenteralOpioidsOrAdmission => "pain needed parenteral opioids or hospital admission",
        _ => "optimal medical therapy failed",
    };
}
