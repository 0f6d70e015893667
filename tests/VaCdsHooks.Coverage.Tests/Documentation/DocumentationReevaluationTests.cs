using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>The round trip: conditional chart, tailored questionnaire, answers, reader, re-evaluation.</summary>
public class DocumentationReevaluationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Osteoporotic T-fracture with only an X-ray and no disability score: conditional on five criteria.</summary>
    private static Chart Conditional() => Chart.CoveredThoracicFracture().Without("Observation/odi").Without("ImagingStudy/mri").Imaging("DX", "2026-10-02", id: "xray");

    private static Dictionary<string, DataType> CleanAnswers() => new()
    {
        ["pain.functional-impairment"] = new FhirBoolean(true),
        ["pain.activities-limited"] = new Coding(CodeSystems.Finding, "adl-walking"),
        ["imaging.modality"] = new Coding(CodeSystems.Dicom, "MR"),
        ["imaging.date"] = new Date("2026-10-20"),
        ["imaging.cord-compression"] = new FhirBoolean(false),
        ["imaging.severe-collapse"] = new FhirBoolean(false),
        ["imaging.healed"] = new FhirBoolean(false),
    };

    private static DocumentationOutcome RoundTrip(Chart chart, Func<TailoredQuestionnaire, Dictionary<string, DataType>> answers, out TailoredQuestionnaire tailored)
    {
        tailored = Dtr.Tailor(chart);
        var response = Answers.Fill(tailored, answers(tailored));
        var reader = new QuestionnaireResponseReader(TestPolicy.Default, Dtr.Master);
        Assert.Empty(reader.Validate(response, tailored, Chart.PatientId));
        var evidence = reader.ToEvidence(response, tailored);
        return new DocumentationReevaluation(TestPolicy.Default, new SequentialIds()).Reevaluate(chart.Record(), evidence, Orders.Procedure("22513"), Now);
    }

    [Fact]
    public void Conditional_chart_asks_exactly_the_unknown_items_and_complete_answers_approve_it()
    {
        var outcome = RoundTrip(Conditional(), _ => CleanAnswers(), out var tailored);
        Assert.Equal(["pain-impairment", "imaging-ruled-out", "cord-compression", "severe-collapse", "healed"], tailored.CriteriaAsked);
        Assert.Equal(DocumentationDecision.Approved, outcome.Decision);
        Assert.Equal("PA-1", outcome.PriorAuthNumber);
        Assert.Equal(CriterionCodes.AllCriteriaMet, outcome.ReasonCode);
        Assert.All(outcome.Criteria, c => Assert.Contains(c.StatusCode, new[] { "met", "ruled-out" }));
    }

    [Fact]
    public void Answer_revealing_cord_compression_denies_with_the_policy_clause()
    {
        var outcome = RoundTrip(Conditional(), _ => new(CleanAnswers()) { ["imaging.cord-compression"] = new FhirBoolean(true) }, out _);
        Assert.Equal(DocumentationDecision.Denied, outcome.Decision);
        Assert.Equal(CriterionCodes.ExclusionPresent, outcome.ReasonCode);
        Assert.Contains(outcome.PolicyClauses, c => c.Contains("spinal cord compression", StringComparison.OrdinalIgnoreCase));
        Assert.Null(outcome.PriorAuthNumber);
    }

    [Fact]
    public void Answer_contradicting_a_minimal_disability_score_goes_to_review()
    {
        // ODI 15 % (minimal disability) leaves pain-impairment not met; the surgeon answers that pain impairs function.
        var chart = Chart.CoveredThoracicFracture().Without("Observation/odi").Odi(15, "2026-11-15");
        var outcome = RoundTrip(chart, _ => new() { ["pain.functional-impairment"] = new FhirBoolean(true) }, out var tailored);
        Assert.Equal(["pain-impairment"], tailored.CriteriaAsked);
        Assert.Equal(DocumentationDecision.NeedsReview, outcome.Decision);
        Assert.Contains(outcome.Conflicts, c => c.StartsWith("Pain causing functional impairment", StringComparison.Ordinal));
        Assert.Contains("conflict", outcome.Criteria.Single(c => c.CriterionId == "pain-impairment").Flags);
    }

    [Fact]
    public void Answer_overturning_a_measured_pain_score_goes_to_review_not_silently_in()
    {
        // The recorded 7/10 rules out an asymptomatic fracture; an overriding answer of 0/10 would make it present.
        var outcome = RoundTrip(Conditional(), _ => new(CleanAnswers()) { ["pain.severity"] = new FhirDecimal(0) }, out _);
        Assert.Equal(DocumentationDecision.NeedsReview, outcome.Decision);
        Assert.Contains(outcome.Conflicts, c => c.StartsWith("Asymptomatic fracture: the record showed ruled-out", StringComparison.Ordinal));
        Assert.Null(outcome.PriorAuthNumber);
    }

    [Fact]
    public void Answers_leaving_a_criterion_open_go_to_review()
    {
        var outcome = RoundTrip(Conditional(), _ => new(CleanAnswers()) { ["imaging.modality"] = new Coding(CodeSystems.Dicom, "DX") }, out _);
        Assert.Equal(DocumentationDecision.NeedsReview, outcome.Decision);
        Assert.Empty(outcome.Conflicts);
        Assert.Equal("unknown", outcome.Criteria.Single(c => c.CriterionId == "imaging-ruled-out").StatusCode);
    }

    // Decision model, Version 2: "When the region holds several candidate lesions that would be decided differently
    // ... the answer is conditional and the questionnaire asks which level is treated."
    private static Chart NewAndOldThoracicFractures() => Chart.CoveredThoracicFracture()
        .Without("Condition/fracture")
        .LesionAt("M80.08XA", "T12", onset: "2026-10-01", id: "new-fracture")
        .LesionAt("M80.08XA", "T8", onset: "2026-03-01", id: "old-fracture");

    [Fact]
    public void Two_thoracic_fractures_of_different_age_ask_only_which_level_is_treated()
    {
        var tailored = Dtr.Tailor(NewAndOldThoracicFractures());
        Assert.Equal(["treated-level"], tailored.CriteriaAsked);
        Assert.Contains(DocumentationQuestionnaire.TreatedLevelLinkId, Dtr.LinkIds(tailored.Questionnaire!));
        Assert.DoesNotContain(DocumentationQuestionnaire.TreatedLevelLinkId, tailored.Prefill.Keys);
    }

    [Fact]
    public void Naming_the_new_fracture_as_the_treated_level_approves_it()
    {
        var outcome = RoundTrip(NewAndOldThoracicFractures(), _ => new() { [DocumentationQuestionnaire.TreatedLevelLinkId] = new FhirString("T12") }, out _);
        Assert.Equal(DocumentationDecision.Approved, outcome.Decision);
        Assert.Equal("met", outcome.Criteria.Single(c => c.CriterionId == "treated-level").StatusCode);
    }

    [Fact]
    public void Naming_the_old_fracture_as_the_treated_level_denies_it_for_the_onset_window()
    {
        var outcome = RoundTrip(NewAndOldThoracicFractures(), _ => new() { [DocumentationQuestionnaire.TreatedLevelLinkId] = new FhirString("T8") }, out _);
        Assert.Equal(DocumentationDecision.Denied, outcome.Decision);
        Assert.Equal(CriterionCodes.OnsetOutsideWindow, outcome.ReasonCode);
    }
}
