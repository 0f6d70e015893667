using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class CordCompressionExclusionTests
{
    private static CriterionResult CordCompression(Chart chart, bool strict = false) =>
        Engine.Criterion<CordCompressionExclusion>(chart, strict ? TestPolicy.With(s => s.StrictAttestation = true) : null);

    [Theory]
    [InlineData("G95.20")]
    [InlineData("G95.29")]
    [InlineData("G99.2")]
    [InlineData("M47.12")]
    [InlineData("M50.021")]
    [InlineData("M51.06")]
    public void Cord_compression_or_myelopathy_code_is_present(string code) =>
        Assert.Equal(CriterionStatus.Met, CordCompression(Chart.CoveredThoracicFracture().Condition(code)).Status);

    [Fact]
    public void Mri_after_onset_with_nothing_coded_rules_it_out() =>
        Assert.Equal(CriterionStatus.NotMet, CordCompression(Chart.CoveredThoracicFracture()).Status);

    [Fact]
    public void Without_ct_or_mri_it_cannot_be_ruled_out() =>
        Assert.Equal(CriterionStatus.Unknown, CordCompression(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri")).Status);

    [Fact]
    public void Strict_attestation_mode_needs_an_explicit_attestation()
    {
        Assert.Equal(CriterionStatus.Unknown, CordCompression(Chart.CoveredThoracicFracture(), strict: true).Status);
        Assert.Equal(CriterionStatus.NotMet, CordCompression(Chart.CoveredThoracicFracture().Finding(FindingCodes.SpinalCordCompression, false), strict: true).Status);
    }

    [Fact]
    public void Coded_compression_attested_absent_goes_to_a_reviewer()
    {
        var result = CordCompression(Chart.CoveredThoracicFracture().Condition("G95.20").Finding(FindingCodes.SpinalCordCompression, false));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("conflict", result.Flags);
    }

    [Fact]
    public void Unreadable_imaging_makes_a_closed_world_rule_out_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, CordCompression(Chart.CoveredThoracicFracture().Gap("ImagingStudy")).Status);
}

public class SevereCollapseExclusionTests
{
    private static CriterionResult Collapse(Chart chart, Action<Policy.PolicySettings>? settings = null) =>
        Engine.Criterion<SevereCollapseExclusion>(chart, settings is null ? null : TestPolicy.With(settings));

    [Fact]
    public void Height_loss_of_seventy_percent_is_below_one_third_of_height() =>
        Assert.Equal(CriterionStatus.Met, Collapse(Chart.CoveredThoracicFracture().HeightLoss(70, "2026-10-05")).Status);

    [Fact]
    public void Height_loss_of_sixty_six_point_seven_percent_leaves_a_third_and_is_severe() =>
        Assert.Equal(CriterionStatus.Met, Collapse(Chart.CoveredThoracicFracture().HeightLoss(66.7m, "2026-10-05")).Status);

    [Fact]
    public void Height_loss_of_sixty_six_point_six_percent_is_not_severe() =>
        Assert.Equal(CriterionStatus.NotMet, Collapse(Chart.CoveredThoracicFracture().HeightLoss(66.6m, "2026-10-05")).Status);

    [Fact]
    public void Measured_height_loss_rules_it_out_even_without_imaging() =>
        Assert.Equal(CriterionStatus.NotMet, Collapse(Chart.CoveredThoracicFracture().Without("ImagingStudy/mri").HeightLoss(30, "2026-10-05")).Status);

    [Fact]
    public void Attested_vertebra_plana_is_present() =>
        Assert.Equal(CriterionStatus.Met, Collapse(Chart.CoveredThoracicFracture().Finding(FindingCodes.SevereVertebralCollapse, true)).Status);

    [Fact]
    public void Collapse_threshold_is_a_policy_setting() =>
        Assert.Equal(CriterionStatus.Met, Collapse(Chart.CoveredThoracicFracture().HeightLoss(55, "2026-10-05"), s => s.SevereCollapseMinHeightLossPercent = 50).Status);
}

public class HealedFractureExclusionTests
{
    private static CriterionResult Healed(Chart chart) => Engine.Criterion<HealedFractureExclusion>(chart);

    [Theory]
    [InlineData("M80.08XS")]
    [InlineData("M48.54XS")]
    [InlineData("Z87.310")]
    public void Fracture_coded_only_as_sequela_or_history_is_healed(string code) =>
        Assert.Equal(CriterionStatus.Met, Healed(Chart.Empty().Condition(code, onset: "2026-10-01").Imaging("MR", "2026-10-05")).Status);

    [Theory]
    [InlineData("M80.08XA")]
    [InlineData("M80.08XD")]
    [InlineData("M80.08XG")]
    [InlineData("M80.08XK")]
    public void Initial_routine_delayed_or_nonunion_encounters_do_not_mean_healed(string code) =>
        Assert.Equal(CriterionStatus.NotMet, Healed(Chart.Empty().Condition(code, onset: "2026-10-01").Imaging("MR", "2026-10-05")).Status);

    [Fact]
    public void Old_healed_fracture_beside_a_new_current_fracture_is_not_this_fracture() =>
        Assert.Equal(CriterionStatus.NotMet, Healed(Chart.CoveredThoracicFracture().Condition("Z87.310")).Status);
}

public class SacrumCoccyxExclusionTests
{
    private static CriterionResult Sacrum(Chart chart) => Engine.Criterion<SacrumCoccyxExclusion>(chart, order: Orders.Procedure("22511"));

    [Theory]
    [InlineData("M48.58XA")]
    [InlineData("S32.10XA")]
    [InlineData("S32.2XXA")]
    public void Only_sacral_or_coccygeal_lesion_is_present(string code) =>
        Assert.Equal(CriterionStatus.Met, Sacrum(Chart.Empty().Condition(code, onset: "2026-10-01")).Status);

    [Fact]
    public void Osteoporotic_fracture_with_sacral_body_site_is_present() =>
        Assert.Equal(CriterionStatus.Met, Sacrum(Chart.Empty().Condition("M80.08XA", bodySite: Site.Sacrum)).Status);

    [Fact]
    public void A_lumbar_treated_lesion_rules_it_out() =>
        Assert.Equal(CriterionStatus.NotMet, Engine.Criterion<SacrumCoccyxExclusion>(Chart.Empty().Condition("M48.56XA").Condition("S32.10XA"), order: Orders.Procedure("22511").AtLevel("L3")).Status);

    // Version 2: a lumbosacral code with a lumbar and a sacral lesion does not say which is treated.
    [Fact]
    public void A_lumbar_and_a_sacral_lesion_under_a_lumbosacral_code_leave_it_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Sacrum(Chart.Empty().Condition("M48.56XA").Condition("S32.10XA")).Status);

    [Fact]
    public void Unsited_lesion_without_imaging_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Sacrum(Chart.Empty().Condition("M80.08XA")).Status);
}

public class AsymptomaticExclusionTests
{
    private static CriterionResult Asymptomatic(Chart chart) => Engine.Criterion<AsymptomaticExclusion>(chart);

    [Fact]
    public void Latest_pain_score_of_zero_means_asymptomatic() =>
        Assert.Equal(CriterionStatus.Met, Asymptomatic(Chart.CoveredThoracicFracture().PainScore(0, "2026-11-20")).Status);

    [Fact]
    public void Latest_pain_above_zero_rules_it_out() =>
        Assert.Equal(CriterionStatus.NotMet, Asymptomatic(Chart.CoveredThoracicFracture()).Status);

    [Fact]
    public void Mri_alone_cannot_rule_out_an_asymptomatic_fracture() =>
        Assert.Equal(CriterionStatus.Unknown, Asymptomatic(Chart.CoveredThoracicFracture().Without("Observation/pain-first").Without("Observation/pain-latest")).Status);

    [Fact]
    public void Attested_asymptomatic_fracture_is_present() =>
        Assert.Equal(CriterionStatus.Met, Asymptomatic(Chart.Empty().Finding(FindingCodes.AsymptomaticFracture, true)).Status);
}

public class RespondingToTherapyExclusionTests
{
    private static CriterionResult Responding(Chart chart) => Engine.Criterion<RespondingToTherapyExclusion>(chart);

    private static Chart PainFrom(decimal first, decimal latest) => Chart.Empty()
        .Condition("M80.08XA", onset: "2026-10-01")
        .PainScore(first, "2026-10-03")
        .PainScore(latest, "2026-11-15");

    [Fact]
    public void Pain_falling_from_eight_to_three_is_responding() =>
        Assert.Equal(CriterionStatus.Met, Responding(PainFrom(8, 3)).Status);

    [Fact]
    public void Pain_falling_from_eight_to_four_is_not_an_appropriate_response() =>
        Assert.Equal(CriterionStatus.NotMet, Responding(PainFrom(8, 4)).Status);

    [Fact]
    public void Pain_falling_from_five_to_three_is_less_than_half_and_not_responding() =>
        Assert.Equal(CriterionStatus.NotMet, Responding(PainFrom(5, 3)).Status);

    [Fact]
    public void Pain_falling_from_six_to_three_is_exactly_half_and_responding() =>
        Assert.Equal(CriterionStatus.Met, Responding(PainFrom(6, 3)).Status);

    [Fact]
    public void A_single_low_pain_score_cannot_show_a_trend() =>
        Assert.Equal(CriterionStatus.Unknown, Responding(Chart.Empty().Condition("M80.08XA", onset: "2026-10-01").PainScore(2, "2026-11-15")).Status);

    [Fact]
    public void Scores_before_onset_are_not_part_of_the_trend() =>
        Assert.Equal(CriterionStatus.Unknown, Responding(Chart.Empty().Condition("M80.08XA", onset: "2026-10-01").PainScore(9, "2026-09-01").PainScore(2, "2026-11-15")).Status);
}
