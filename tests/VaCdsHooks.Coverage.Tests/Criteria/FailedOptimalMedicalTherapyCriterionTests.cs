using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class FailedOptimalMedicalTherapyCriterionTests
{
    private static CriterionResult FailedOmt(Chart chart) => Engine.Criterion<FailedOptimalMedicalTherapyCriterion>(chart);

    private static Chart WithFracture() => Chart.Empty().Condition("M80.08XA", onset: "2026-10-01");

    [Fact]
    public void Pain_still_seven_of_ten_after_weeks_of_nsaids_means_therapy_failed()
    {
        var result = FailedOmt(WithFracture().Analgesic("5640", "2026-10-03", id: "nsaid").PainScore(7, "2026-11-10", id: "after"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains(result.Evidence, e => e.Reference == "MedicationStatement/nsaid");
        Assert.Contains(result.Evidence, e => e.Reference == "Observation/after" && e.Value == "7/10");
    }

    [Fact]
    public void Pain_four_of_ten_after_therapy_is_the_threshold_of_failure() =>
        Assert.Equal(CriterionStatus.Met, FailedOmt(WithFracture().Analgesic("7804", "2026-10-03").PainScore(4, "2026-11-10")).Status);

    [Fact]
    public void Pain_down_to_three_of_ten_on_therapy_is_not_failure() =>
        Assert.Equal(CriterionStatus.NotMet, FailedOmt(WithFracture().Analgesic("7804", "2026-10-03").PainScore(3, "2026-11-10")).Status);

    [Fact]
    public void Pain_score_recorded_only_before_therapy_started_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, FailedOmt(WithFracture().PainScore(8, "2026-10-02").Analgesic("5640", "2026-10-03")).Status);

    [Fact]
    public void No_therapy_documented_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, FailedOmt(WithFracture().PainScore(8, "2026-11-10")).Status);

    [Fact]
    public void Physical_therapy_alone_is_not_an_analgesic_trial() =>
        Assert.Equal(CriterionStatus.Unknown, FailedOmt(WithFracture().PhysicalTherapy("2026-10-05").PainScore(6, "2026-11-10")).Status);

    [Fact]
    public void Physical_therapy_beside_a_failed_analgesic_trial_is_met() =>
        Assert.Equal(CriterionStatus.Met, FailedOmt(WithFracture().PhysicalTherapy("2026-10-05").Analgesic("5640", "2026-10-05").PainScore(6, "2026-11-10")).Status);

    [Fact]
    public void Prescription_matched_on_its_ingredient_coding_counts() =>
        Assert.Equal(CriterionStatus.Met, FailedOmt(WithFracture().Analgesic("7258", "2026-10-03", asRequest: true, secondCoding: "999999").PainScore(6, "2026-11-10")).Status);

    [Fact]
    public void Parenteral_opioid_means_therapy_failed() =>
        Assert.Equal(CriterionStatus.Met, FailedOmt(WithFracture().Analgesic("7052", "2026-10-03", asRequest: true, parenteral: true)).Status);

    [Fact]
    public void Contraindication_to_analgesics_fills_an_unknown() =>
        Assert.Equal(CriterionStatus.Met, FailedOmt(WithFracture().Finding(FindingCodes.AnalgesicContraindication, true)).Status);

    [Fact]
    public void Attested_failure_contradicting_improved_pain_goes_to_a_reviewer()
    {
        var result = FailedOmt(WithFracture().Analgesic("5640", "2026-10-03").PainScore(2, "2026-11-10").Finding(FindingCodes.OptimalMedicalTherapyFailed, true));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("conflict", result.Flags);
    }

    [Fact]
    public void Non_analgesic_medication_is_not_optimal_medical_therapy() =>
        Assert.Equal(CriterionStatus.Unknown, FailedOmt(WithFracture().Analgesic("6809", "2026-10-03").PainScore(7, "2026-11-10")).Status);
}
