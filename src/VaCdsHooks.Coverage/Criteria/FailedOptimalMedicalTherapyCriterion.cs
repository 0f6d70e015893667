using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
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
        var supportingAnswers = SupportingAnswers(facts);

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

    private static readonly string[] SupportingAnswerCodes =
        [FindingCodes.AnalgesicContraindication, FindingCodes.ParenteralOpioidsOrAdmission, FindingCodes.OptimalMedicalTherapyFailed];

    /// <summary>Answers that say therapy failed (or could not be given), in the order sentences name them.</summary>
    private static IReadOnlyList<Attestation> SupportingAnswers(ClinicalFacts facts)
    {
        List<Attestation>? answers = null;
        foreach (var code in SupportingAnswerCodes)
        {
            if (facts.Attested(code) is { Answer: true } answer)
            {
                (answers ??= []).Add(answer);
            }
        }

        if (answers is null)
        {
            return [];
        }

        return answers;
    }

    private CriterionResult FromRecord(CriterionContext context)
    {
        var episode = context.Episode;
        var facts = context.Facts;
        var settings = context.Settings;
        var prefix = episode.LevelPrefix;
        var therapies = episode.Therapies;

        if (Evidence(therapies, static t => t.Parenteral && t.Class == TherapyClass.Opioid) is { Count: > 0 } parenteralOpioids)
        {
            return Met(prefix + "pain needed parenteral opioids.", parenteralOpioids);
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

        var trials = Evidence(therapies, static t => t.IsAnalgesic);
        var supportive = Evidence(therapies, static t => !t.IsAnalgesic);
        if (trials.Count == 0)
        {
            var outside = AnalgesicsOutside(facts.Therapies, therapies);
            var why = outside.Count > 0
                ? " Analgesics are recorded, but not for this pain (started before the fracture, stopped before it, not yet taken, or after the planned date)."
                : supportive.Count > 0 ? " Bracing or physical therapy count beside analgesics, not instead of them." : string.Empty;
            return Unknown(prefix + "no analgesic trial (NSAID, acetaminophen or opioid) since pain onset is documented." + why, supportive.Concat(outside));
        }

        // The analgesics and what was given beside them, then the pain score that decides (one list, added to once).
        var evidence = new List<EvidenceItem>(trials.Count + supportive.Count + 1);
        evidence.AddRange(trials);
        evidence.AddRange(supportive);
        if (EarliestStart(therapies) is not { } start)
        {
            return Unknown(prefix + "analgesics are documented without a start date, so it cannot be told whether pain persisted after an adequate trial.", evidence);
        }

        var startText = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var minDays = settings.AnalgesicTrialMinDays;
        var after = LatestPainFrom(episode.PainScores, start, minDays);
        if (after is null)
        {
            var early = LatestPainFrom(episode.PainScores, start, 0);
            if (early is not null)
            {
                evidence.Add(early.Evidence());
            }

            return Unknown(
                early is null
                    ? $"{prefix}analgesics since {startText} are documented, but no pain score was recorded after they started."
                    : $"{prefix}analgesics since {startText}; the latest pain score ({Score(early.Value)}/10{On(early.Date)}) is less than {minDays} days into the trial, too early to show it failed.",
                evidence);
        }

        evidence.Add(after.Evidence());
        var threshold = settings.PersistentPainMinScore;
        if (after.Value >= threshold)
        {
            return Met($"{prefix}pain still {Score(after.Value)}/10{On(after.Date)} after analgesics since {startText} (at least {minDays} days).", evidence);
        }

        return NotMet($"{prefix}pain fell to {Score(after.Value)}/10{On(after.Date)} on analgesics since {startText}, below {Score(threshold)}/10: therapy has not failed.", evidence);
    }

    private static IReadOnlyList<EvidenceItem> Evidence(IReadOnlyList<Therapy> therapies, Func<Therapy, bool> matches)
    {
        List<EvidenceItem>? evidence = null;
        foreach (var therapy in therapies)
        {
            if (matches(therapy))
            {
                (evidence ??= []).Add(therapy.Evidence());
            }
        }

        if (evidence is null)
        {
            return [];
        }

        return evidence;
    }

    /// <summary>Analgesics the record holds that do not belong to this episode.</summary>
    private static IReadOnlyList<EvidenceItem> AnalgesicsOutside(IReadOnlyList<Therapy> all, IReadOnlyList<Therapy> episode)
    {
        List<EvidenceItem>? outside = null;
        foreach (var therapy in all)
        {
            if (therapy.IsAnalgesic && !episode.Contains(therapy))
            {
                (outside ??= []).Add(therapy.Evidence());
            }
        }

        if (outside is null)
        {
            return [];
        }

        return outside;
    }

    /// <summary>The day the analgesic trial began: the earliest (latest possible) start of a dated analgesic; null when none is dated.</summary>
    private static DateOnly? EarliestStart(IReadOnlyList<Therapy> therapies)
    {
        DateOnly? earliest = null;
        foreach (var therapy in therapies)
        {
            if (therapy.IsAnalgesic && therapy.Started is { } started && (earliest is null || started.Latest < earliest))
            {
                earliest = started.Latest;
            }
        }

        return earliest;
    }

    /// <summary>The latest pain score dated at least <paramref name="minDays"/> days after <paramref name="start"/>.</summary>
    private static Measurement? LatestPainFrom(IReadOnlyList<Measurement> painScores, DateOnly start, int minDays)
    {
        for (var i = painScores.Count - 1; i >= 0; i--)
        {
            if (painScores[i].Date is { } d && d.Earliest.DayNumber - start.DayNumber >= minDays)
            {
                return painScores[i];
            }
        }

        return null;
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

        List<Admission>? forThisPain = null;
        foreach (var admission in facts.Admissions)
        {
            if (context.Episode.Counts(admission.Start) && (NamesLesion(admission, context.Lesion) || (admission.ReasonIsVertebral && facts.Lesions.Count <= 1)))
            {
                (forThisPain ??= []).Add(admission);
            }
        }

        if (forThisPain is null)
        {
            return [];
        }

        return forThisPain;
    }

    private static bool NamesLesion(Admission admission, Lesion? lesion)
    {
        if (lesion is null)
        {
            return false;
        }

        foreach (var reference in admission.ReasonReferences)
        {
            if (lesion.IsRecordedIn(reference))
            {
                return true;
            }
        }

        return false;
    }

    private static List<EvidenceItem> Contraindications(CriterionContext context)
    {
        var vs = context.ValueSets;
        var facts = context.Facts;
        var opioidSet = vs["opioid-intolerance"];
        var nsaidSet = vs["nsaid-contraindication"];

        // Both are needed: without an opioid intolerance the conditions that contraindicate NSAIDs are not read.
        List<EvidenceItem>? opioid = null;
        List<EvidenceItem>? nsaid = null;
        foreach (var allergy in facts.Record.AllergyIntolerances)
        {
            if (allergy.VerificationStatus?.Coding.Any(c => c.Code is "refuted" or "entered-in-error") == true
                || (allergy.ClinicalStatus is not null && !allergy.ClinicalStatus.Coding.Any(c => c.Code == "active")))
            {
                continue;
            }

            if (opioidSet.FirstMatch(allergy.Code) is { } opioidCode)
            {
                (opioid ??= []).Add(EvidenceItem.Of(allergy, opioidCode));
            }

            if (nsaidSet.FirstMatch(allergy.Code) is { } nsaidCode)
            {
                (nsaid ??= []).Add(EvidenceItem.Of(allergy, nsaidCode));
            }
        }

        if (opioid is null)
        {
            return [];
        }

        foreach (var (condition, code) in facts.ConditionsIn(nsaidSet))
        {
            (nsaid ??= []).Add(ClinicalFacts.ConditionEvidence(condition, code));
        }

        return nsaid is not null ? [.. opioid, .. nsaid] : [];
    }

    private static string Describe(Attestation attestation) => attestation.Code.Code switch
    {
        FindingCodes.AnalgesicContraindication => "analgesics are contraindicated",
        FindingCodes.ParenteralOpioidsOrAdmission => "pain needed parenteral opioids or hospital admission",
        _ => "optimal medical therapy failed",
    };
}
