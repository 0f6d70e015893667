using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

public class QuestionnaireResponseReaderTests
{
    private static readonly QuestionnaireResponseReader Reader = new(TestPolicy.Default, Dtr.Master);

    private static TailoredQuestionnaire WithoutImpairment() => Dtr.Tailor(Chart.CoveredThoracicFracture().Without("Observation/odi"));

    private static Dictionary<string, DataType> ImpairedWalkingAndDressing() => new()
    {
        ["pain.functional-impairment"] = new FhirBoolean(true),
        ["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-walking"),
    };

    [Fact]
    public void Complete_answers_to_the_tailored_questionnaire_are_valid()
    {
        var tailored = WithoutImpairment();
        Assert.Empty(Reader.Validate(Answers.Fill(tailored, ImpairedWalkingAndDressing()), tailored, Chart.PatientId));
    }

    [Fact]
    public void Unknown_link_id_is_named()
    {
        var tailored = WithoutImpairment();
        var response = Answers.Fill(tailored, ImpairedWalkingAndDressing());
        response.Item[0].Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "pain.mood", Answer = [new() { Value = new FhirBoolean(true) }] });
        var problem = Assert.Single(Reader.Validate(response, tailored, Chart.PatientId));
        Assert.Equal("pain.mood", problem.LinkId);
    }

    [Fact]
    public void Wrong_answer_type_is_named()
    {
        var tailored = WithoutImpairment();
        var answers = ImpairedWalkingAndDressing();
        answers["pain.functional-impairment"] = new FhirString("yes");
        var problem = Reader.Validate(Answers.Fill(tailored, answers), tailored, Chart.PatientId).First();
        Assert.Equal("pain.functional-impairment", problem.LinkId);
        Assert.Contains("boolean", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_to_another_questionnaire_is_named()
    {
        var tailored = WithoutImpairment();
        var response = Answers.Fill(tailored, ImpairedWalkingAndDressing(), questionnaire: Dtr.Master.VersionedCanonical);
        var problem = Assert.Single(Reader.Validate(response, tailored, Chart.PatientId));
        Assert.Null(problem.LinkId);
        Assert.Contains("not this assertion's questionnaire", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_about_another_patient_is_named() =>
        Assert.Contains(Reader.Validate(Answers.Fill(WithoutImpairment(), ImpairedWalkingAndDressing()), WithoutImpairment(), "pat-2"), p => p.Message.Contains("Patient/pat-2", StringComparison.Ordinal));

    [Fact]
    public void Missing_required_answer_is_named()
    {
        var tailored = WithoutImpairment();
        var problem = Assert.Single(Reader.Validate(Answers.Fill(tailored, new Dictionary<string, DataType>()), tailored, Chart.PatientId));
        Assert.Equal("pain.functional-impairment", problem.LinkId);
    }

    [Fact]
    public void Answer_to_a_disabled_question_is_named()
    {
        var tailored = WithoutImpairment();
        var answers = ImpairedWalkingAndDressing();
        answers["pain.functional-impairment"] = new FhirBoolean(false);
        var problem = Assert.Single(Reader.Validate(Answers.Fill(tailored, answers), tailored, Chart.PatientId));
        Assert.Equal("pain.activities-limited", problem.LinkId);
    }

    [Fact]
    public void Coding_outside_the_answer_list_and_out_of_range_score_are_named()
    {
        var tailored = WithoutImpairment();
        var answers = ImpairedWalkingAndDressing();
        answers["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-golf");
        answers["pain.severity"] = new FhirDecimal(12);
        var problems = Reader.Validate(Answers.Fill(tailored, answers), tailored, Chart.PatientId);
        Assert.Equal(["pain.severity", "pain.activities-limited"], problems.Select(p => p.LinkId).ToList());
        var outcome = QuestionnaireProblem.ToOperationOutcome(problems);
        Assert.Equal(2, outcome.Issue.Count);
        Assert.All(outcome.Issue, i => Assert.Equal(OperationOutcome.IssueSeverity.Error, i.Severity));
    }

    [Fact]
    public void In_progress_response_is_not_taken_in()
    {
        var tailored = WithoutImpairment();
        var response = Answers.Fill(tailored, ImpairedWalkingAndDressing());
        response.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
        Assert.Contains(Reader.Validate(response, tailored, Chart.PatientId), p => p.Message.Contains("completed", StringComparison.Ordinal));
    }

    [Fact]
    public void Answers_become_finding_observations_with_author_origin_and_the_response_as_source()
    {
        var tailored = WithoutImpairment();
        var evidence = Reader.ToEvidence(Answers.Fill(tailored, ImpairedWalkingAndDressing()), tailored);
        var impairment = evidence.Resources.OfType<Observation>().Single(o => o.Code!.Coding[0].Code == FindingCodes.FunctionalImpairment);
        Assert.Equal(CodeSystems.Finding, impairment.Code!.Coding[0].System);
        Assert.True(Assert.IsType<FhirBoolean>(impairment.Value).Value);
        Assert.Equal(Answers.Surgeon, Assert.Single(impairment.Performer).Reference);
        Assert.Equal("QuestionnaireResponse/qr-1", Assert.Single(impairment.DerivedFrom).Reference);
        Assert.Equal("Patient/" + Chart.PatientId, impairment.Subject!.Reference);
        Assert.Equal("adl-walking", Assert.Single(impairment.Component).Code!.Coding[0].Code);
        Assert.Equal("manual", Assert.Single(impairment.Meta!.Tag).Code);

        var pain = evidence.Answers.Single(a => a.LinkId == "pain.severity");
        Assert.Equal(InformationOrigin.Auto, pain.Origin);
        Assert.Contains("pain-impairment", pain.Criteria);
    }

    [Fact]
    public void Imaging_modality_and_date_become_an_attested_spine_imaging_study()
    {
        var tailored = Dtr.Tailor(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri"));
        var evidence = Reader.ToEvidence(Answers.Fill(tailored, new Dictionary<string, DataType>
        {
            ["imaging.modality"] = new Coding(CodeSystems.Dicom, "MR"),
            ["imaging.date"] = new Date("2026-10-05"),
        }), tailored);
        var study = Assert.Single(evidence.Resources.OfType<ImagingStudy>());
        Assert.Equal("MR", study.Modality[0].Code);
        Assert.Equal("2026-10-05", study.Started);
        Assert.StartsWith("2.25.", study.Series[0].Uid, StringComparison.Ordinal);
        Assert.True(TestPolicy.Default.ValueSets["spine-body-sites"].Contains(study.Series[0].BodySite));
    }
}
