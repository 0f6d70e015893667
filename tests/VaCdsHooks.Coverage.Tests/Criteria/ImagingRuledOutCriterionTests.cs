using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class ImagingRuledOutCriterionTests
{
    private static CriterionResult Imaging(Chart chart, Action<Policy.PolicySettings>? settings = null) =>
        Engine.Criterion<ImagingRuledOutCriterion>(chart, settings is null ? null : TestPolicy.With(settings));

    private static Chart WithFracture() => Chart.Empty().Condition("M80.08XA", onset: "2026-10-01", bodySite: Site.Thoracic);

    [Fact]
    public void Mri_of_the_spine_after_onset_without_competing_causes_is_met()
    {
        var result = Imaging(WithFracture().Imaging("MR", "2026-10-05", id: "mri"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains(result.Evidence, e => e.Reference == "ImagingStudy/mri" && e.Code == "MR");
    }

    [Fact]
    public void Ct_of_the_thoracic_spine_after_onset_is_met() =>
        Assert.Equal(CriterionStatus.Met, Imaging(WithFracture().Imaging("CT", "2026-10-05", Site.Thoracic)).Status);

    [Fact]
    public void X_ray_only_leaves_other_causes_unknown()
    {
        var result = Imaging(WithFracture().Imaging("DX", "2026-10-02"));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("only X-ray or bone scan", result.Explanation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Bone_scan_only_leaves_other_causes_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Imaging(WithFracture().Imaging("NM", "2026-10-02")).Status);

    [Fact]
    public void Mri_before_pain_onset_does_not_count() =>
        Assert.Equal(CriterionStatus.Unknown, Imaging(WithFracture().Imaging("MR", "2026-09-01")).Status);

    [Fact]
    public void Mri_of_the_knee_is_not_spine_imaging() =>
        Assert.Equal(CriterionStatus.Unknown, Imaging(WithFracture().Imaging("MR", "2026-10-05", Site.Knee)).Status);

    [Fact]
    public void Mri_without_body_site_counts_only_when_the_setting_allows_it()
    {
        Assert.Equal(CriterionStatus.Unknown, Imaging(WithFracture().Imaging("MR", "2026-10-05", bodySite: null)).Status);
        Assert.Equal(CriterionStatus.Met, Imaging(WithFracture().Imaging("MR", "2026-10-05", bodySite: null), s => s.AcceptImagingWithoutBodySite = true).Status);
    }

    [Theory]
    [InlineData("M48.061")]
    [InlineData("M47.816")]
    [InlineData("M51.26")]
    [InlineData("M99.63")]
    [InlineData("M51.16")]
    public void Coded_competing_pain_generator_leaves_it_unknown_with_a_flag(string code)
    {
        var result = Imaging(WithFracture().Imaging("MR", "2026-10-05").Condition(code));
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains(ImagingRuledOutCriterion.CompetingPainGeneratorFlag, result.Flags);
    }

    [Fact]
    public void Competing_generator_excluded_by_mri_is_met() =>
        Assert.Equal(CriterionStatus.Met, Imaging(WithFracture().Imaging("MR", "2026-10-05").Condition("M48.061").Finding(FindingCodes.CompetingPainGeneratorExcluded, true)).Status);

    [Fact]
    public void Competing_generator_not_excluded_is_not_met() =>
        Assert.Equal(CriterionStatus.NotMet, Imaging(WithFracture().Imaging("MR", "2026-10-05").Condition("M48.061").Finding(FindingCodes.CompetingPainGeneratorExcluded, false)).Status);
}
