using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// What the service already holds for each question, read from the same <see cref="ClinicalFacts"/> the
/// criteria read (so a pre-filled answer is exactly the evidence the engine used): the recorded pain onset, the
/// latest pain score and ODI, earlier attestations, the latest height loss, the indication a coded diagnosis
/// names and the latest spine imaging. Pure; used for <c>initial</c> values and the draft QuestionnaireResponse.
/// </summary>
public static class EvidencePrefill
{
    /// <summary>
    /// Pre-fill values by linkId for the items of <paramref name="master"/> (items without evidence are absent).
    /// With <paramref name="episode"/> (the treated lesion of the assertion's order), scores and onset are the
    /// ones the criteria used for that lesion; without it, the latest in the chart and the onset of its only lesion.
    /// </summary>
    /// <param name="indication">The indication the engine read for the treated lesion, if any (pre-selects the indication question).</param>
    public static IReadOnlyDictionary<string, DataType> For(DocumentationQuestionnaire master, ClinicalFacts facts, Episode? episode = null, Coding? indication = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(facts);
        var values = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var item in master.Items)
        {
            if ((item.LinkId == DocumentationQuestionnaire.IndicationKindLinkId ? indication ?? IndicationKind(facts) : ValueFor(item, facts, episode)) is { } value)
            {
                values[item.LinkId] = value;
            }
        }

        return values;
    }

    private static DataType? ValueFor(DocumentationItem item, ClinicalFacts facts, Episode? episode)
    {
        var imaging = episode?.QualifyingImaging.LastOrDefault() ?? facts.SpineImaging.LastOrDefault(i => i.Performed);
        switch (item.LinkId)
        {
            case DocumentationQuestionnaire.IndicationKindLinkId:
                return IndicationKind(facts);
            case DocumentationQuestionnaire.ImagingModalityLinkId:
                return imaging is not null ? Display(facts, imaging.Modality) : null;
            case DocumentationQuestionnaire.ImagingDateLinkId:
                return imaging?.Date is { } started ? new Date(started.Text) : null;
            case DocumentationQuestionnaire.TreatedLevelLinkId:
                return episode?.TreatedLevel is { IsExact: true } level && episode.Unit.Candidates.Count <= 1 ? new FhirString(level.Label) : null;
        }

        var code = item.EvidenceCode;
        if (code is null || item.Type == Questionnaire.QuestionnaireItemType.Choice)
        {
            return null;
        }

        // Each LOINC item is filled from its own measurement, never from another score.
        if (code.System == CodeSystems.Loinc)
        {
            var scores = facts.ValueSets["pain-severity-score"].Contains(code) ? episode?.PainScores ?? facts.PainScores
                : facts.ValueSets["disability-score-odi"].Contains(code) ? episode?.OswestryScores ?? facts.OswestryScores
                : null;
            return scores is { Count: > 0 } ? new FhirDecimal(scores[^1].Value) : null;
        }

        switch (code.Code)
        {
            case FindingCodes.PainOnset:
                var onset = episode is not null ? episode.Onset?.Date : facts.Lesions.Count == 1 ? facts.Lesions[0].Onset?.Date : null;
                return onset is { } o ? new Date(o.Text) : null;
            case FindingCodes.VertebralHeightLoss:
                var heights = episode?.HeightLoss ?? facts.HeightLossMeasurements;
                return heights.Count > 0 ? new FhirDecimal(heights[^1].Value) : null;
        }

        return item.Type == Questionnaire.QuestionnaireItemType.Boolean && facts.Attested(code.Code!)?.Answer is { } answer
            ? new FhirBoolean(answer)
            : null;
    }

    /// <summary>Without an order to read the treated lesion for: the indication a coded diagnosis names; the ones that need a follow-up answer win.</summary>
    private static Coding? IndicationKind(ClinicalFacts facts)
    {
        var vs = facts.ValueSets;
        var code = facts.ConditionsIn(vs["vertebral-hemangioma"]).Count > 0 ? "indication-hemangioma"
            : facts.ConditionsIn(vs["vertebral-osteonecrosis"]).Count > 0 ? "indication-osteonecrosis"
            : facts.ConditionsIn(vs["vertebral-metastasis"]).Count > 0 ? "indication-osteolytic-metastasis"
            : facts.ConditionsIn(vs["multiple-myeloma"]).Count > 0 ? "indication-multiple-myeloma"
            : facts.ConditionsIn(vs["glucocorticoid-exposure"]).Count > 0 && facts.Lesions.Count > 0 ? "indication-steroid-induced-fracture"
            : facts.ConditionsIn(vs["osteoporotic-vertebral-fracture"]).Count > 0 ? "indication-osteoporotic-fracture"
            : null;
        return code is null ? null : new Coding(CodeSystems.Finding, code, facts.Policy.DisplayOf(CodeSystems.Finding, code));
    }

    private static Coding Display(ClinicalFacts facts, Coding coding) =>
        new(coding.System, coding.Code, coding.Display ?? facts.Policy.DisplayOfCode(coding.System ?? string.Empty, coding.Code ?? string.Empty));
}
