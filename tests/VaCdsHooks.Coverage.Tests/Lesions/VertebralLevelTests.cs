using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Tests.Lesions;

/// <summary>
/// decision-model.md, "Lesions and treated levels": a lesion's or order's level may be written in <c>bodySite.text</c>
/// ("T12", "L1"); the treated vertebra is the unit of decision, so a level must be read as the vertebra named, and a
/// sacral or coccygeal site as the sacrum-coccyx region the policy excludes ("Lesions of the sacrum or coccyx").
/// </summary>
public class VertebralLevelTests
{
    [Theory]
    [InlineData("T12", SpinalRegion.Thoracic, 12)]
    [InlineData("L1", SpinalRegion.Lumbar, 1)]
    [InlineData("l 1 vertebral body", SpinalRegion.Lumbar, 1)]
    [InlineData("T-11", SpinalRegion.Thoracic, 11)]
    [InlineData("C7", SpinalRegion.Cervical, 7)]
    [InlineData("Compression fracture of T9", SpinalRegion.Thoracic, 9)]
    public void A_level_written_in_text_is_that_vertebra(string text, SpinalRegion region, int number) =>
        Assert.Equal(new VertebralLevel(region, number), VertebralLevel.Parse(text));

    [Theory]
    [InlineData("S1")]
    [InlineData("Sacrum")]
    [InlineData("coccygeal fracture")]
    public void A_sacral_or_coccygeal_site_is_the_sacrum_coccyx_region(string text) =>
        Assert.Equal(new VertebralLevel(SpinalRegion.SacrumCoccyx, null), VertebralLevel.Parse(text));

    [Theory]
    [InlineData("T13")]
    [InlineData("C8")]
    [InlineData("L6")]
    [InlineData("T123")]
    [InlineData("ST12")]
    [InlineData("")]
    public void Text_naming_no_vertebra_that_exists_gives_no_level(string text) =>
        Assert.Null(VertebralLevel.Parse(text));

    [Fact]
    public void A_range_names_each_vertebra_and_a_single_reading_takes_the_first()
    {
        Assert.Equal([new VertebralLevel(SpinalRegion.Thoracic, 11), new VertebralLevel(SpinalRegion.Thoracic, 12)], VertebralLevel.ParseAll("T11-T12"));
        Assert.Equal(new VertebralLevel(SpinalRegion.Thoracic, 11), VertebralLevel.Parse("T11-T12"));
    }

    [Fact]
    public void An_out_of_range_number_does_not_hide_a_real_level_after_it() =>
        Assert.Equal(new VertebralLevel(SpinalRegion.Lumbar, 2), VertebralLevel.Parse("T13 (sic), L2"));
}
