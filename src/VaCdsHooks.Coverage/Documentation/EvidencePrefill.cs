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
    /// <summary>Pre-fill values by linkId for the items of <paramref name="master"/> (items without evidence are absent).</summary>
    public static IReadOnlyDictionary<string, DataType> For(DocumentationQuestionnaire master, ClinicalFacts facts)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(facts);
        var values = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var item in master.Items)
        {
            if (ValueFor(item, facts) is { } value)
            {
                values[item.LinkId] = value;
            }
        }

        return values;
    }

    private static DataType? ValueFor(DocumentationItem item, ClinicalFacts facts)
    {
        switch (item.LinkId)
        {
            case DocumentationQuestionnaire.IndicationKindLinkId:
                return IndicationKind(facts);
            case DocumentationQuestionnaire.ImagingModalityLinkId:
                return facts.SpineImaging.Count > 0 ? Display(facts, facts.SpineImaging[^1].Modality) : null;
            case DocumentationQuestionnaire.ImagingDateLinkId:
                return facts.SpineImaging.Count > 0 && facts.SpineImaging[^1].Started is { } started ? new Date(started.Text) : null;
        }

        var code = item.EvidenceCode;
        if (code is null || item.Type == Questionnaire.QuestionnaireItemType.Choice)
        {
            return null;
        }

        if (code.System == CodeSystems.Loinc)
        {
            var scores = facts.ValueSets.PainSeverity.Contains(code) ? facts.PainScores : facts.OswestryScores;
            return scores.Count > 0 ? new FhirDecimal(scores[^1].Value) : null;
        }

        switch (code.Code)
        {
            case FindingCodes.PainOnset:
                return facts.PainOnset is { } onset ? new Date(onset.Date.Text) : null;
            case FindingCodes.VertebralHeightLoss:
                return facts.HeightLossMeasurements.Count > 0 ? new FhirDecimal(facts.HeightLossMeasurements[^1].Value) : null;
        }

        return item.Type == Questionnaire.QuestionnaireItemType.Boolean && facts.Attested(code.Code!)?.Answer is { } answer
            ? new FhirBoolean(answer)
            : null;
    }

    /// <summary>The indication a coded diagnosis names; the ones that need a follow-up answer win.</summary>
    private static Coding? IndicationKind(ClinicalFacts facts)
    {
        var vs = facts.ValueSets;
        var code = facts.ConditionsIn(vs.VertebralHemangioma).Count > 0 ? "indication-hemangioma"
            : facts.ConditionsIn(vs.VertebralOsteonecrosis).Count > 0 ? "indication-osteonecrosis"
            : facts.ConditionsIn(vs.VertebralMetastasis).Count > 0 ? "indication-osteolytic-metastasis"
            : facts.ConditionsIn(vs.MultipleMyeloma).Count > 0 ? "indication-multiple-myeloma"
            : facts.ConditionsIn(vs.GlucocorticoidExposure).Count > 0 && facts.Lesions.Count > 0 ? "indication-steroid-induced-fracture"
            : facts.ConditionsIn(vs.OsteoporoticVertebralFracture).Count > 0 ? "indication-osteoporotic-fracture"
            : null;
        return code is null ? null : new Coding(CodeSystems.Finding, code, facts.Policy.DisplayOf(CodeSystems.Finding, code));
    }

    private static Coding Display(ClinicalFacts facts, Coding coding) =>
        new(coding.System, coding.Code, coding.Display ?? facts.Policy.DisplayOfCode(coding.System ?? string.Empty, coding.Code ?? string.Empty));
}
