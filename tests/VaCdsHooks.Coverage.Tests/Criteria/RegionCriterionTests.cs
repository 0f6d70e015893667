using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class RegionCriterionTests
{
    private static CriterionResult Region(Chart chart, string cpt = "22513") =>
        Engine.Criterion<RegionCriterion>(chart, order: Orders.Procedure(cpt));

    [Theory]
    [InlineData("M48.52XA")]
    [InlineData("M48.54XA")]
    [InlineData("M48.56XA")]
    [InlineData("M48.57XA")]
    public void Collapsed_vertebra_region_character_places_the_lesion_in_a_covered_region(string code) =>
        Assert.Equal(CriterionStatus.Met, Region(Chart.Empty().Condition(code)).Status);

    [Fact]
    public void Collapsed_sacral_vertebra_is_not_a_covered_region() =>
        Assert.Equal(CriterionStatus.NotMet, Region(Chart.Empty().Condition("M48.58XA"), cpt: "22511").Status);

    [Fact]
    public void Coccyx_fracture_alone_is_not_a_covered_region() =>
        Assert.Equal(CriterionStatus.NotMet, Region(Chart.Empty().Condition("S32.2XXA"), cpt: "22511").Status);

    [Fact]
    public void Body_site_places_a_vertebra_without_region_in_its_code()
    {
        var result = Region(Chart.Empty().Condition("M80.08XA", bodySite: Site.Lumbar, id: "lesion"), cpt: "22514");
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains("lumbar", result.Explanation, StringComparison.Ordinal);
        Assert.Contains(result.Evidence, e => e.Code == Site.Lumbar);
    }

    [Fact]
    public void Without_a_coded_site_the_thoracic_kyphoplasty_code_names_the_region() =>
        Assert.Equal(CriterionStatus.Met, Region(Chart.Empty().Condition("M80.08XA"), cpt: "22513").Status);

    [Fact]
    public void Without_a_coded_site_lumbosacral_vertebroplasty_leaves_the_region_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Region(Chart.Empty().Condition("M80.08XA"), cpt: "22511").Status);

    [Fact]
    public void Lumbar_and_sacral_lesions_together_meet_the_region_criterion() =>
        Assert.Equal(CriterionStatus.Met, Region(Chart.Empty().Condition("M48.56XA").Condition("S32.10XA")).Status);
}
