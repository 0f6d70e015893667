using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Artifacts;

/// <summary>ICD-10-CM tabular facts (7th characters, required 6th characters) and the other systems, as the ValueSets express them.</summary>
public class ValueSetCodingFactTests
{
    private static readonly VaCdsHooks.Coverage.Policy.PolicyValueSets Sets = TestPolicy.Default.ValueSets;

    private static CodeSet LesionSite(SpinalRegion region) => Sets[region switch
    {
        SpinalRegion.Cervical => "lesion-site-cervical",
        SpinalRegion.Thoracic => "lesion-site-thoracic",
        SpinalRegion.Lumbar => "lesion-site-lumbar",
        _ => "lesion-site-sacrococcygeal",
    }];

    [Theory]
    [InlineData("M48.54XA", true)]
    [InlineData("M48.54XD", true)]
    [InlineData("M48.54XG", true)]
    [InlineData("M48.54XK", false)]
    [InlineData("M48.54XP", false)]
    [InlineData("M48.54XS", false)]
    public void Collapsed_vertebra_has_only_seventh_characters_A_D_G_S(string code, bool current) =>
        Assert.Equal(current, Sets["collapsed-vertebra"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M80.08XK", true)]
    [InlineData("M80.08XP", true)]
    [InlineData("M80.08XS", false)]
    [InlineData("M80.08X", false)]
    [InlineData("M80.0", false)]
    public void Osteoporotic_vertebral_fracture_needs_a_seventh_character_and_excludes_sequela(string code, bool member) =>
        Assert.Equal(member, Sets["osteoporotic-vertebral-fracture"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M80.08XS")]
    [InlineData("M48.58XS")]
    [InlineData("M84.58XS")]
    [InlineData("S22.050S")]
    [InlineData("S32.010S")]
    [InlineData("Z87.311")]
    public void Sequela_and_history_codes_are_healed(string code) =>
        Assert.True(Sets["healed-vertebral-fracture"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("S32.2XXA", true)]
    [InlineData("S32.2XXB", true)]
    [InlineData("S32.20XA", false)]
    public void Coccyx_fractures_are_S32_2XX_only(string code, bool member) =>
        Assert.Equal(member, Sets["sacrococcygeal-fracture"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M87.188", true)]
    [InlineData("M87.18", false)]
    [InlineData("M87.180", false)]
    public void Drug_induced_osteonecrosis_needs_the_sixth_character_and_the_jaw_is_not_a_vertebra(string code, bool member) =>
        Assert.Equal(member, Sets["vertebral-osteonecrosis"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M50.02", false)]
    [InlineData("M50.021", true)]
    [InlineData("M50.00", true)]
    public void Cervical_disc_disorder_with_myelopathy_mid_cervical_needs_a_sixth_character(string code, bool member) =>
        Assert.Equal(member, Sets["spinal-cord-compression"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M99.63")]
    [InlineData("M99.73")]
    [InlineData("M48.062")]
    [InlineData("M47.817")]
    [InlineData("M50.120")]
    public void Competing_pain_generators_match_by_prefix(string code) =>
        Assert.True(Sets["competing-pain-generators"].Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("M48.53XA", SpinalRegion.Cervical)]
    [InlineData("M48.53XA", SpinalRegion.Thoracic)]
    [InlineData("M48.55XA", SpinalRegion.Lumbar)]
    [InlineData("M48.57XA", SpinalRegion.Lumbar)]
    [InlineData("M48.58XA", SpinalRegion.SacrumCoccyx)]
    public void Region_character_of_collapsed_vertebra_places_the_lesion(string code, SpinalRegion region) =>
        Assert.True(LesionSite(region).Contains(CodeSystems.Icd10Cm, code));

    [Fact]
    public void Lumbosacral_collapse_is_not_a_sacral_only_lesion() =>
        Assert.False(LesionSite(SpinalRegion.SacrumCoccyx).Contains(CodeSystems.Icd10Cm, "M48.57XA"));

    [Fact]
    public void Exactly_the_six_policy_cpt_codes_are_in_scope()
    {
        Assert.Equal(["22510", "22511", "22512", "22513", "22514", "22515"], Sets.Procedures.EnumeratedCodes(CodeSystems.Cpt));
        Assert.False(Sets.Procedures.Contains("http://snomed.info/sct", "22513"));
    }

    [Fact]
    public void Pain_and_disability_scores_use_their_loinc_codes()
    {
        Assert.True(Sets["pain-severity-score"].Contains(CodeSystems.Loinc, "72514-3"));
        Assert.True(Sets["disability-score-odi"].Contains(CodeSystems.Loinc, "97909-6"));
        Assert.True(Sets["cross-sectional-imaging-modalities"].Contains(CodeSystems.Dicom, "MR"));
        Assert.False(Sets["cross-sectional-imaging-modalities"].Contains(CodeSystems.Dicom, "DX"));
    }

    [Fact]
    public void Every_artifact_has_a_canonical_under_our_base_a_version_and_active_status()
    {
        var options = new JsonSerializerOptions().ForFhir();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPolicy.FhirResources, "ValueSet"), "*.json"))
        {
            var valueSet = JsonSerializer.Deserialize<ValueSet>(File.ReadAllText(file), options)!;
            Assert.Equal("http://vacdshooks.example.org/fhir/ValueSet/" + Path.GetFileNameWithoutExtension(file), valueSet.Url);
            Assert.Equal(valueSet.Id, Path.GetFileNameWithoutExtension(file));
            Assert.False(string.IsNullOrEmpty(valueSet.Version));
            Assert.Equal(PublicationStatus.Active, valueSet.Status);
            Assert.All(valueSet.Compose!.Include.Where(i => i.System is not null), i => Assert.Contains(i.System, new[]
            {
                CodeSystems.Icd10Cm, CodeSystems.Snomed, CodeSystems.Loinc, CodeSystems.RxNorm, CodeSystems.Dicom, CodeSystems.Cpt, CodeSystems.Finding,
                "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            }));
        }
    }
}

/// <summary>The literal-prefix guard in front of each code pattern never changes what matches.</summary>
public class CodePatternPrefixTests
{
    [Theory]
    [InlineData(@"M80\.[08]8X[ADGKP]", "M80.")]
    [InlineData(@"T38\.0X5[ADS]", "T38.0X5")]
    [InlineData(@"M50\.0(0|1|2[0-3]|3)", "M50.0")]
    [InlineData(@"M48\.0[0-8][0-9]?", "M48.0")]
    [InlineData(@"AB?C", "A")]
    [InlineData(@"M47\.1[0-6]|G95\.2", "")]
    [InlineData(@"[A-Z]\d+", "")]
    public void Literal_prefix_is_what_every_match_must_start_with(string pattern, string prefix) =>
        Assert.Equal(prefix, Terminology.CodeSet.CodeRule.LiteralPrefix(new System.Text.RegularExpressions.Regex("^(?:" + pattern + ")$")));
}
