using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Testing;

/// <summary>A surgeon completing the payer's pre-filled draft, as a DTR app sends it back.</summary>
public static class SurgeonAnswers
{
    public const string Surgeon = "Practitioner/surgeon";

    /// <summary>Answers that document the conditional example chart completely and consistently.</summary>
    public static Dictionary<string, DataType> Consistent() => new()
    {
        ["pain.functional-impairment"] = new FhirBoolean(true),
        ["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-walking"),
        ["pain.asymptomatic"] = new FhirBoolean(false),
        ["imaging.modality"] = new Coding(CodeSystems.Dicom, "MR"),
        ["imaging.date"] = new Date("2026-10-20"),
        ["imaging.other-causes-excluded"] = new FhirBoolean(true),
        ["imaging.cord-compression"] = new FhirBoolean(false),
        ["imaging.severe-collapse"] = new FhirBoolean(false),
        ["imaging.healed"] = new FhirBoolean(false),
        ["therapy.tried"] = new FhirString("Calcitonin and opioid analgesics for six weeks, bracing"),
        ["therapy.failed"] = new FhirBoolean(true),
        ["therapy.responding"] = new FhirBoolean(false),
    };

    /// <summary>
    /// Pre-filled answers stay (origin as the payer set it); each question <paramref name="values"/> names is answered
    /// by the surgeon (<c>manual</c>, or <c>override</c> where it replaces a pre-filled answer); the rest stay open.
    /// </summary>
    public static QuestionnaireResponse Complete(Questionnaire questionnaire, QuestionnaireResponse draft, IReadOnlyDictionary<string, DataType> values, string authored = "2026-11-25T10:00:00Z")
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(values);
        var response = (QuestionnaireResponse)draft.DeepCopy();
        response.Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed;
        response.Author = new ResourceReference(Surgeon);
        response.Authored = authored;
        foreach (var group in questionnaire.Item)
        {
            var section = response.Item.FirstOrDefault(i => i.LinkId == group.LinkId);
            foreach (var item in group.Item.Where(i => values.ContainsKey(i.LinkId!)))
            {
                if (section is null)
                {
                    section = new QuestionnaireResponse.ItemComponent { LinkId = group.LinkId, Text = group.Text };
                    response.Item.Add(section);
                }

                var existing = section.Item.FirstOrDefault(i => i.LinkId == item.LinkId);
                var answer = new QuestionnaireResponse.AnswerComponent { Value = values[item.LinkId!] };
                var origin = new Extension { Url = DtrCodes.InformationOriginUrl };
                origin.Extension.Add(new Extension("source", new Code(existing is null ? "manual" : "override")));
                // DTR 2.0.1: the author is a complex sub-extension naming the practitioner.
                origin.Extension.Add(new Extension { Url = "author", Extension = [new Extension("practitioner", new ResourceReference(Surgeon))] });
                answer.Extension.Add(origin);
                if (existing is null)
                {
                    section.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId, Text = item.Text, Answer = [answer] });
                }
                else
                {
                    existing.Answer = [answer];
                }
            }
        }

        return response;
    }
}
