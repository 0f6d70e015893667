using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Pain causing Functional or Physical Impairment, inside the episode: pain (a score above 0, or a coded
/// severity) plus impairment, shown by an Oswestry Disability Index above the minimal band or a documented
/// impairment. An ODI in the minimal band makes it not met; scores from before the fracture, preliminary or
/// future-dated ones are not evidence; an attestation fills a gap but never silently overrides a contrary score.
/// </summary>
public sealed class PainImpairmentCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.PainImpairment;
    public override string Title => "Pain causing functional impairment";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Observation"];
    public override IReadOnlyList<string> ValueSetsRead { get; } = ["functional-impairment-finding"];
    public override IReadOnlyList<string> FindingsRead { get; } = [FindingCodes.FunctionalImpairment];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var episode = context.Episode;
        var prefix = episode.LevelPrefix;
        var pain = episode.LatestPain;
        var painEvidence = new List<EvidenceItem>();
        string painText;
        if (pain is not null)
        {
            painText = $"{prefix}pain {Score(pain.Value)}/10{On(pain.Date)}";
            painEvidence.Add(pain.Evidence());
            if (pain.Value <= 0)
            {
                return NotMet(painText + ": there is no pain to treat.", painEvidence);
            }
        }
        else if (episode.PainFindings.LastOrDefault() is { } coded)
        {
            painText = $"{prefix}pain recorded as {(coded.Value as Hl7.Fhir.Model.CodeableConcept)?.Coding.FirstOrDefault()?.Display ?? "a coded severity"}{On(ClinicalDate.From(coded.Effective))}";
            painEvidence.Add(EvidenceItem.Of(coded, coded.Code?.Coding.FirstOrDefault(), date: ClinicalDate.From(coded.Effective)?.Text));
        }
        else
        {
            return Unknown(prefix + "no pain severity score (0-10) is recorded between pain onset and the planned date.");
        }

        var threshold = context.Settings.OdiMinimalDisabilityMaxPercent;
        var odi = episode.OswestryScores.Count > 0 ? episode.OswestryScores[^1] : null;
        var impairment = context.Facts.LatestAnswerIn(context.ValueSets["functional-impairment-finding"]);
        if (impairment is not null && (context.Facts.IsFuture(impairment.Date) || impairment.Date is { } d && d.Earliest > episode.EvidenceEnd))
        {
            impairment = null;
        }

        if (odi is not null && odi.Value <= threshold)
        {
            if (impairment?.Answer == true)
            {
                return Unknown(
                    $"{painText}; the Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)} shows minimal disability, but functional impairment is attested. A reviewer decides.",
                    [.. painEvidence, odi.Evidence(), impairment.Evidence()]) with { Flags = ["conflict"] };
            }

            return NotMet($"{painText}, but the Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)} shows minimal disability (0-{Score(threshold)} %).", [.. painEvidence, odi.Evidence()]);
        }

        if (odi is not null)
        {
            return Met($"{painText} with an Oswestry Disability Index of {Score(odi.Value)} %{On(odi.Date)}: at least moderate disability.", [.. painEvidence, odi.Evidence()]);
        }

        return impairment?.Answer switch
        {
            true => Met($"{painText} with functional impairment documented.", [.. painEvidence, impairment.Evidence()]),
            false => NotMet($"{painText}, but no functional impairment (documented answer).", [.. painEvidence, impairment.Evidence()]),
            _ => Unknown($"{painText} is recorded, but no functional impairment (disability score, or limits on walking, dressing, meals, driving) since the fracture is documented.", painEvidence),
        };
    }
}
