using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class PainImpairmentCriterionTests
{
    private static CriterionResult PainImpairment(Chart chart, Action<Policy.PolicySettings>? settings = null) =>
        Engine.Criterion<PainImpairmentCriterion>(chart, settings is null ? null : TestPolicy.With(settings));

    private static Chart WithFracture() => Chart.Empty().Condition("M80.08XA", onset: "2026-10-01");

    [Fact]
    public void Pain_with_moderate_disability_on_oswestry_is_met()
    {
        var result = PainImpairment(WithFracture().PainScore(7, "2026-11-10", id: "pain").Odi(34, "2026-11-10", id: "odi"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Equal(["Observation/pain", "Observation/odi"], result.Evidence.Select(e => e.Reference));
    }

    [Fact]
    public void Oswestry_score_of_twenty_percent_is_minimal_disability_and_not_met() =>
        Assert.Equal(CriterionStatus.NotMet, PainImpairment(WithFracture().PainScore(6, "2026-11-10").Odi(20, "2026-11-10")).Status);

    [Fact]
    public void Oswestry_score_of_twenty_one_percent_is_at_least_moderate_disability() =>
        Assert.Equal(CriterionStatus.Met, PainImpairment(WithFracture().PainScore(6, "2026-11-10").Odi(21, "2026-11-10")).Status);

    [Fact]
    public void Minimal_disability_threshold_is_a_policy_setting() =>
        Assert.Equal(CriterionStatus.NotMet, PainImpairment(WithFracture().PainScore(6, "2026-11-10").Odi(21, "2026-11-10"), s => s.OdiMinimalDisabilityMaxPercent = 30).Status);

    [Fact]
    public void Missing_pain_score_is_unknown()
    {
        var result = PainImpairment(WithFracture().Odi(40, "2026-11-10"));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("no pain severity score", result.Explanation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Pain_without_documented_impairment_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, PainImpairment(WithFracture().PainScore(7, "2026-11-10")).Status);

    [Fact]
    public void Pain_with_attested_functional_impairment_is_met() =>
        Assert.Equal(CriterionStatus.Met, PainImpairment(WithFracture().PainScore(7, "2026-11-10").Finding(FindingCodes.FunctionalImpairment, true)).Status);

    [Fact]
    public void Attested_impairment_never_silently_overrides_a_minimal_oswestry_score()
    {
        var result = PainImpairment(WithFracture().PainScore(7, "2026-11-10").Odi(10, "2026-11-10").Finding(FindingCodes.FunctionalImpairment, true));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("conflict", result.Flags);
    }

    [Fact]
    public void Latest_pain_score_of_zero_is_not_met() =>
        Assert.Equal(CriterionStatus.NotMet, PainImpairment(WithFracture().PainScore(8, "2026-10-10").PainScore(0, "2026-11-10").Odi(40, "2026-11-10")).Status);

    [Fact]
    public void Pain_score_entered_in_error_is_ignored() =>
        Assert.Equal(CriterionStatus.Unknown, PainImpairment(WithFracture().PainScore(7, "2026-11-10", status: ObservationStatus.EnteredInError).Odi(40, "2026-11-10")).Status);

    [Fact]
    public void Unreadable_observations_make_the_criterion_unknown_not_failed()
    {
        var result = PainImpairment(WithFracture().Gap("Observation"));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("could not provide Observation", result.Explanation, StringComparison.Ordinal);
    }
}
