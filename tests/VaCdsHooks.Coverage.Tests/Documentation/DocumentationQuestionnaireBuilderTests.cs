using Hl7.Fhir.Model;
using Hl7.Fhir.Validation;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

public class DocumentationQuestionnaireBuilderTests
{
    /// <summary>Everything documented except a disability score or impairment: only pain-impairment is open.</summary>
    private static Chart WithoutImpairment() => Chart.CoveredThoracicFracture().Without("Observation/odi");

    [Fact]
    public void Missing_impairment_asks_only_the_pain_and_impairment_items()
    {
        var tailored = Dtr.Tailor(WithoutImpairment());
        Assert.True(tailored.HasQuestions);
        Assert.Equal(["pain-impairment"], tailored.CriteriaAsked);
        Assert.Equal(["pain.severity", "pain.odi", "pain.functional-impairment", "pain.activities-limited"], Dtr.LinkIds(tailored.Questionnaire!));
    }

    [Fact]
    public void Held_pain_score_is_prefilled_but_not_as_initial_beside_the_items_initial_expression()
    {
        // SDC: an item carries initial or initialExpression, never both; the payer's value travels in the draft.
        var tailored = Dtr.Tailor(WithoutImpairment());
        var pain = tailored.Questionnaire!.Item.SelectMany(g => g.Item).Single(i => i.LinkId == "pain.severity");
        Assert.NotNull(pain.GetExtension(DtrCodes.InitialExpressionUrl));
        Assert.Empty(pain.Initial);
        Assert.Equal(7m, Assert.IsType<FhirDecimal>(tailored.Prefill["pain.severity"]).Value);
        Assert.DoesNotContain(tailored.Questionnaire.Item.SelectMany(g => g.Item), i => i.Initial.Count > 0 && i.GetExtension(DtrCodes.InitialExpressionUrl) is not null);
    }

    [Fact]
    public void Without_ct_or_mri_the_imaging_and_imaging_confirmed_exclusion_items_are_asked()
    {
        var tailored = Dtr.Tailor(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri"));
        Assert.Equal(["imaging-ruled-out", "cord-compression", "severe-collapse", "healed"], tailored.CriteriaAsked);
        Assert.Equal(
            ["imaging.modality", "imaging.date", "imaging.report", "imaging.cord-compression", "imaging.height-loss", "imaging.severe-collapse", "imaging.healed"],
            Dtr.LinkIds(tailored.Questionnaire!));
        Assert.DoesNotContain("imaging.other-causes-excluded", Dtr.LinkIds(tailored.Questionnaire!));
    }

    [Fact]
    public void Coded_competing_pain_generator_asks_only_whether_ct_or_mri_excluded_it()
    {
        var tailored = Dtr.Tailor(Chart.CoveredThoracicFracture().Condition("M48.061", id: "stenosis"));
        Assert.Equal(["imaging.other-causes-excluded"], Dtr.LinkIds(tailored.Questionnaire!));
    }

    [Fact]
    public void Hemangioma_without_documented_aggressive_features_asks_the_indication_with_its_follow_ups()
    {
        var chart = Chart.CoveredThoracicFracture().Without("Condition/fracture").Condition("D18.09", onset: "2026-10-01", bodySite: Site.Thoracic);
        var tailored = Dtr.Tailor(chart);
        Assert.Contains("indication", tailored.CriteriaAsked);
        var items = tailored.Questionnaire!.Item.SelectMany(g => g.Item).ToList();
        Assert.Contains(items, i => i.LinkId == "indication.hemangioma-aggressive");
        var kind = items.Single(i => i.LinkId == "indication.kind");
        Assert.Equal("indication-hemangioma", Assert.IsType<Coding>(Assert.Single(kind.Initial).Value).Code);
    }

    [Fact]
    public void Same_assertion_gives_the_same_questionnaire()
    {
        var chart = WithoutImpairment();
        var assertion = Dtr.Assertion(chart);
        var first = Dtr.Builder.Build(assertion, chart.Record()).Questionnaire!;
        var second = Dtr.Builder.Build(assertion, chart.Record()).Questionnaire!;
        Assert.Equal(Dtr.Serialize(first), Dtr.Serialize(second));
        Assert.Equal(DocumentationQuestionnaireBuilder.QuestionnaireIdFor(assertion.AssertionId), first.Id);
        // The canonical CRD sends is the url of every tailoring; the version names the assertion.
        Assert.Equal(Dtr.Master.Url, first.Url);
        Assert.Equal(Dtr.Master.Version + "-" + assertion.AssertionId, first.Version);
        Assert.Equal(assertion.AssertionId, Assert.Single(first.Identifier).Value);
        Assert.Equal([Dtr.Master.VersionedCanonical], first.DerivedFrom);
    }

    [Fact]
    public void Different_assertions_give_different_questionnaire_ids() =>
        Assert.NotEqual(DocumentationQuestionnaireBuilder.QuestionnaireIdFor("A-1"), DocumentationQuestionnaireBuilder.QuestionnaireIdFor("A-2"));

    [Fact]
    public void Tailored_questionnaire_keeps_the_launch_context_and_passes_poco_validation()
    {
        var questionnaire = Dtr.RoundTrip(Dtr.Tailor(WithoutImpairment()).Questionnaire!);
        Assert.Contains(questionnaire.Extension, e => e.Url == DtrCodes.LaunchContextUrl);
        Assert.Empty(questionnaire.Validate());
    }

    [Fact]
    public void Covered_chart_has_nothing_to_ask()
    {
        var tailored = Dtr.Tailor(Chart.CoveredThoracicFracture());
        Assert.False(tailored.HasQuestions);
        Assert.Contains("Every criterion is met", tailored.NothingToAsk, StringComparison.Ordinal);
    }

    [Fact]
    public void Present_exclusion_has_nothing_to_ask()
    {
        var tailored = Dtr.Tailor(WithoutImpairment().Condition("G95.20", id: "cord"));
        Assert.False(tailored.HasQuestions);
        Assert.Contains("not covered", tailored.NothingToAsk, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_conflict_left_goes_to_a_reviewer_not_to_the_questionnaire()
    {
        var chart = Chart.CoveredThoracicFracture().Condition("G95.20", id: "cord").Finding("spinal-cord-compression", false);
        var tailored = Dtr.Tailor(chart);
        Assert.False(tailored.HasQuestions);
        Assert.Contains("reviewer", tailored.NothingToAsk, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_record_the_questionnaire_has_no_initial_values()
    {
        var tailored = Dtr.Builder.Build(Dtr.Assertion(WithoutImpairment()));
        Assert.Empty(tailored.Prefill);
        Assert.All(tailored.Questionnaire!.Item.SelectMany(g => g.Item), i => Assert.Empty(i.Initial));
    }
}
