using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>
/// One canonical from CRD to the package, the draft and the answers (DTR 2.0.1 specification.html: the
/// coverage-information <c>questionnaire</c> is the Questionnaire the package returns; the DTR test kit finds the
/// Questionnaire a response answers by comparing <c>q.url == qr.questionnaire</c> exactly).
/// </summary>
public class QuestionnaireCanonicalTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly QuestionnaireResponseReader Reader = new(TestPolicy.Default, Dtr.Master);

    private static Chart WithoutImpairment() => Chart.CoveredThoracicFracture().Without("Observation/odi");

    [Fact]
    public void Tailored_questionnaire_keeps_the_canonical_coverage_information_sends_kit_rule_q_url_equals_qr_questionnaire()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        Assert.Equal(TestPolicy.Default.Settings.QuestionnaireCanonical, tailored.Questionnaire!.Url);
        Assert.Equal(TestPolicy.Default.Settings.QuestionnaireReference, tailored.Questionnaire.Url);
    }

    [Fact]
    public void Draft_response_names_the_questionnaire_version_specifically_and_the_version_names_the_assertion()
    {
        var chart = WithoutImpairment();
        var assertion = Dtr.Assertion(chart);
        var tailored = Dtr.Builder.Build(assertion, chart.Record());
        var draft = new QuestionnairePackageBuilder(TestPolicy.Default, DocumentationSettings.Default).DraftResponse(tailored, assertion, Now);

        Assert.Equal(tailored.Questionnaire!.Url + "|" + tailored.Questionnaire.Version, draft.Questionnaire);
        Assert.Equal(assertion.AssertionId, Dtr.Builder.AssertionIdFromCanonical(draft.Questionnaire));
        Assert.Null(Dtr.Builder.AssertionIdFromCanonical(tailored.Questionnaire.Url));
        Assert.Null(Dtr.Builder.AssertionIdFromCanonical(Dtr.Master.VersionedCanonical));
        Assert.Null(Dtr.Builder.AssertionIdFromCanonical("http://example.org/Questionnaire/other|" + tailored.Questionnaire.Version));
    }

    [Fact]
    public void Tailored_questionnaire_id_leads_back_to_its_assertion()
    {
        var id = DocumentationQuestionnaireBuilder.QuestionnaireIdFor("4f1c0a9e2b7d4c8e9a0b1c2d3e4f5a6b");
        Assert.Equal("vad-4f1c0a9e2b7d4c8e9a0b1c2d3e4f5a6b", id);
        Assert.Equal("4f1c0a9e2b7d4c8e9a0b1c2d3e4f5a6b", DocumentationQuestionnaireBuilder.AssertionIdFromQuestionnaireId(id));
        Assert.Null(DocumentationQuestionnaireBuilder.AssertionIdFromQuestionnaireId("vertebral-augmentation-documentation"));
    }

    [Fact]
    public void Response_naming_the_bare_canonical_is_valid()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        var response = Answers.Fill(tailored, Walking(), questionnaire: tailored.Questionnaire!.Url);
        Assert.Empty(Reader.Validate(response, tailored, Chart.PatientId));
    }

    [Fact]
    public void Response_naming_the_canonical_with_the_tailored_version_is_valid()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        Assert.Empty(Reader.Validate(Answers.Fill(tailored, Walking(), questionnaire: tailored.Canonical), tailored, Chart.PatientId));
    }

    [Fact]
    public void Response_naming_another_tailoring_is_refused()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        var response = Answers.Fill(tailored, Walking(), questionnaire: tailored.Questionnaire!.Url + "|" + Dtr.Master.Version + "-someone-else");
        Assert.Single(Reader.Validate(response, tailored, Chart.PatientId));
    }

    [Fact]
    public void Answer_outside_an_inline_answer_list_is_named()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        var answers = Walking();
        answers["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-juggling");
        var problem = Assert.Single(Reader.Validate(Answers.Fill(tailored, answers), tailored, Chart.PatientId));
        Assert.Equal("pain.activities-limited", problem.LinkId);
    }

    [Fact]
    public void Tailored_questionnaire_has_a_generated_narrative_naming_its_questions()
    {
        var questionnaire = Dtr.Tailor(WithoutImpairment()).Questionnaire!;
        Assert.Equal(Narrative.NarrativeStatus.Generated, questionnaire.Text!.Status);
        Assert.Contains(questionnaire.Title!, questionnaire.Text.Div, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(questionnaire.Item[0].Item[0].Text!), questionnaire.Text.Div, StringComparison.Ordinal);
    }

    [Fact]
    public void Served_master_lists_every_short_answer_list_inline()
    {
        var items = Dtr.Builder.Master.Item.SelectMany(g => g.Item).ToList();
        var activities = items.Single(i => i.LinkId == DocumentationQuestionnaire.ActivitiesLimitedLinkId);
        Assert.Null(activities.AnswerValueSet);
        Assert.Contains(activities.AnswerOption, o => o.Value is Coding { Code: "adl-walking" });
        Assert.DoesNotContain(items, i => i.AnswerValueSet is not null && i.AnswerOption.Count > 0);
        Assert.NotNull(Dtr.Builder.Master.Text);

        // The published master itself is untouched: it names the ValueSets the analyst maintains.
        Assert.NotNull(Dtr.Master.Find(DocumentationQuestionnaire.ActivitiesLimitedLinkId)!.Item.AnswerValueSet);
    }

    [Fact]
    public void Answer_without_information_origin_is_treated_as_manual()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        var response = Answers.Fill(tailored, Walking());
        foreach (var (_, answer) in QuestionnaireResponseReader.Answered(response.Item))
        {
            answer.Extension.Clear();
        }

        Assert.Empty(Reader.Validate(response, tailored, Chart.PatientId));
        var evidence = Reader.ToEvidence(response, tailored);
        Assert.NotEmpty(evidence.Answers);
        Assert.All(evidence.Answers, a => Assert.Equal(InformationOrigin.Manual, a.Origin));
    }

    [Fact]
    public void Author_in_the_dtr_2_0_1_shape_and_as_a_plain_reference_both_become_the_performer()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        var nested = Answers.Fill(tailored, Walking());
        Assert.Contains(QuestionnaireResponseReader.Answered(nested.Item), x => x.Answer.GetExtension(DtrCodes.InformationOriginUrl)?.GetExtension("author")?.GetExtension("practitioner") is not null);
        var flat = Answers.Fill(tailored, Walking());
        foreach (var author in QuestionnaireResponseReader.Answered(flat.Item).Select(x => x.Answer.GetExtension(DtrCodes.InformationOriginUrl)?.GetExtension("author")).OfType<Extension>())
        {
            author.Extension.Clear();
            author.Value = new ResourceReference("Practitioner/other-surgeon");
        }

        Assert.Contains(Reader.ToEvidence(nested, tailored).Resources.OfType<Observation>(), o => o.Performer.Any(p => p.Reference == Answers.Surgeon));
        Assert.Contains(Reader.ToEvidence(flat, tailored).Resources.OfType<Observation>(), o => o.Performer.Any(p => p.Reference == "Practitioner/other-surgeon"));
    }

    [Fact]
    public void Expansion_of_an_enumerable_value_set_lists_its_codes_in_the_published_order()
    {
        var expansion = new ValueSetExpansion(TestPolicy.Default);
        var expanded = expansion.Expand("http://vacdshooks.example.org/fhir/ValueSet/activities-of-daily-living", Now)!;
        Assert.Equal(expanded.Expansion!.Total, expanded.Expansion.Contains.Count);
        Assert.Equal("adl-meals", expanded.Expansion.Contains[0].Code);
        Assert.Null(expansion.Expand("http://example.org/ValueSet/unknown", Now));
    }

    private static Dictionary<string, DataType> Walking() => new()
    {
        ["pain.functional-impairment"] = new FhirBoolean(true),
        ["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-walking"),
    };
}
