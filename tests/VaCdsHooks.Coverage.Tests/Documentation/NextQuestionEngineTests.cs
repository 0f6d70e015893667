using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>SDC adaptive forms (sdc/adaptive.html, Questionnaire/$next-question), shaped like the DTR kit's adaptive example.</summary>
public class NextQuestionEngineTests
{
    private static Questionnaire Tailored() => Dtr.Tailor(Chart.CoveredThoracicFracture().Without("Observation/odi").Without("ImagingStudy/mri")).Questionnaire!;

    private static QuestionnaireResponse Start(Questionnaire tailored)
    {
        var shell = NextQuestionEngine.AdaptiveShell(tailored);
        shell.Id = "adaptive";
        return new QuestionnaireResponse
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Questionnaire = "#adaptive",
            Subject = new ResourceReference("Patient/" + Chart.PatientId),
            Contained = [shell],
        };
    }

    private static Questionnaire Contained(QuestionnaireResponse response) => response.Contained.OfType<Questionnaire>().Single();

    private static void Answer(QuestionnaireResponse response, string group, string linkId, DataType value)
    {
        var section = response.Item.FirstOrDefault(i => i.LinkId == group);
        if (section is null)
        {
            section = new QuestionnaireResponse.ItemComponent { LinkId = group };
            response.Item.Add(section);
        }

        section.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = linkId, Answer = [new() { Value = value }] });
    }

    [Fact]
    public void First_call_appends_the_first_section_to_the_contained_questionnaire()
    {
        var tailored = Tailored();
        var result = NextQuestionEngine.Next(Start(tailored), tailored);
        Assert.True(result.IsValid);
        Assert.Equal(["pain"], Contained(result.Response!).Item.Select(i => i.LinkId).ToList());
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, result.Response!.Status);
        Assert.True(Assert.IsType<FhirBoolean>(Contained(result.Response).GetExtension(DtrCodes.SdcAdaptiveExtensionUrl)!.Value).Value);
    }

    [Fact]
    public void Unanswered_required_question_keeps_the_form_where_it_is()
    {
        var tailored = Tailored();
        var first = NextQuestionEngine.Next(Start(tailored), tailored).Response!;
        var again = NextQuestionEngine.Next(first, tailored).Response!;
        Assert.Single(Contained(again).Item);
    }

    [Fact]
    public void Answered_sections_lead_to_the_next_section_then_to_completed()
    {
        var tailored = Tailored();
        var response = NextQuestionEngine.Next(Start(tailored), tailored).Response!;
        Answer(response, "pain", "pain.severity", new FhirDecimal(7));
        Answer(response, "pain", "pain.functional-impairment", new FhirBoolean(false));
        response = NextQuestionEngine.Next(response, tailored).Response!;
        Assert.Equal(["pain", "imaging"], Contained(response).Item.Select(i => i.LinkId).ToList());

        Answer(response, "imaging", "imaging.modality", new Coding("http://dicom.nema.org/resources/ontology/DCM", "MR"));
        Answer(response, "imaging", "imaging.date", new Date("2026-10-20"));
        Answer(response, "imaging", "imaging.cord-compression", new FhirBoolean(false));
        Answer(response, "imaging", "imaging.severe-collapse", new FhirBoolean(false));
        Answer(response, "imaging", "imaging.healed", new FhirBoolean(false));
        var done = NextQuestionEngine.Next(response, tailored).Response!;
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.Completed, done.Status);
        Assert.Equal(2, Contained(done).Item.Count);
    }

    [Fact]
    public void Response_without_a_contained_questionnaire_is_a_named_problem()
    {
        var response = new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, Questionnaire = "#missing" };
        var result = NextQuestionEngine.Next(response, Tailored());
        Assert.False(result.IsValid);
        Assert.Contains("contained", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contained_questionnaire_of_another_form_is_a_named_problem()
    {
        var tailored = Tailored();
        var response = Start(tailored);
        Contained(response).Url = "urn:inferno:dtr-test-kit:dinner-order-adaptive";
        Assert.False(NextQuestionEngine.Next(response, tailored).IsValid);
    }

    [Fact]
    public void Kit_shaped_input_parses_and_the_answer_is_deterministic()
    {
        var input = JsonSerializer.Deserialize<Parameters>(File.ReadAllText(Path.Combine(Dtr.DtrFixtures, "next_question_initial_input_params_conformant.json")), Dtr.Json)!;
        Assert.IsType<QuestionnaireResponse>(input.Parameter.Single(p => p.Name == "questionnaire-response").Resource);
        var tailored = Tailored();
        Assert.Equal(Dtr.Serialize(NextQuestionEngine.Next(Start(tailored), tailored).Response!), Dtr.Serialize(NextQuestionEngine.Next(Start(tailored), tailored).Response!));
    }
}
