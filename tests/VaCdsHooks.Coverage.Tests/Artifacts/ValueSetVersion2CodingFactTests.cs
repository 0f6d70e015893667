using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Artifacts;

/// <summary>
/// Membership of the key codes in the ValueSets the Version 2 decision model reads by id (SNOMED CT problems,
/// analgesic classes, imaging by region, individual vertebrae, non-covered causes), through the loaded set of
/// every ValueSet by canonical url.
/// </summary>
public class ValueSetVersion2CodingFactTests
{
    private const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    private static CodeSet Set(string id) => TestPolicy.Default.ValueSets.All["http://vacdshooks.example.org/fhir/ValueSet/" + id];

    [Theory]
    [InlineData("osteoporotic-vertebral-fracture", "240198002", true)]
    [InlineData("osteoporotic-vertebral-fracture", "311890007", true)]
    [InlineData("osteoporotic-vertebral-fracture", "443165006", false)]
    [InlineData("osteoporosis", "64859006", true)]
    [InlineData("osteoporosis", "102447009", true)]
    [InlineData("osteoporosis", "443165006", true)]
    [InlineData("glucocorticoid-exposure", "390833005", true)]
    [InlineData("vertebral-metastasis", "94602001", true)]
    [InlineData("vertebral-metastasis", "94389000", true)]
    [InlineData("multiple-myeloma", "109989006", true)]
    [InlineData("multiple-myeloma", "94704006", true)]
    [InlineData("traumatic-vertebral-fracture", "82419009", true)]
    [InlineData("competing-pain-generators", "76107001", true)]
    [InlineData("competing-pain-generators", "18347007", true)]
    [InlineData("competing-pain-generators", "23056005", true)]
    [InlineData("competing-pain-generators", "203241002", true)]
    [InlineData("competing-pain-generators", "64859006", false)]
    [InlineData("vertebral-lesions", "311891006", true)]
    [InlineData("vertebral-lesions", "94274006", true)]
    [InlineData("vertebral-lesions", "76107001", false)]
    public void Snomed_problems_are_in_the_same_sets_as_their_icd_10_cm_codes(string id, string code, bool member) =>
        Assert.Equal(member, Set(id).Contains(CodeSystems.Snomed, code));

    [Theory]
    [InlineData("M46.26", true)]
    [InlineData("M46.36", true)]
    [InlineData("M46.46", true)]
    [InlineData("M46.56", true)]
    [InlineData("M54.16", true)]
    [InlineData("M54.17", true)]
    [InlineData("M54.5", false)]
    [InlineData("M46.1", false)]
    public void Vertebral_osteomyelitis_discitis_and_radiculopathy_are_competing_generators(string code, bool member) =>
        Assert.Equal(member, Set("competing-pain-generators").Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("lesion-site-cervical", "14806007", true)]
    [InlineData("lesion-site-cervical", "87391001", true)]
    [InlineData("lesion-site-cervical", "311806008", true)]
    [InlineData("lesion-site-cervical", "64864005", false)]
    [InlineData("lesion-site-thoracic", "64864005", true)]
    [InlineData("lesion-site-thoracic", "23215003", true)]
    [InlineData("lesion-site-thoracic", "94274006", true)]
    [InlineData("lesion-site-thoracic", "66794005", false)]
    [InlineData("lesion-site-lumbar", "66794005", true)]
    [InlineData("lesion-site-lumbar", "49668003", true)]
    [InlineData("lesion-site-lumbar", "311890007", true)]
    [InlineData("lesion-site-lumbar", "54735007", false)]
    [InlineData("lesion-site-sacrococcygeal", "54735007", true)]
    [InlineData("lesion-site-sacrococcygeal", "94527001", true)]
    [InlineData("lesion-site-sacrococcygeal", "49668003", false)]
    [InlineData("spine-body-sites", "421060004", true)]
    [InlineData("spine-body-sites", "1141981001", true)]
    [InlineData("spine-body-sites", "36470004", true)]
    public void Snomed_sites_and_region_named_disorders_place_the_lesion(string id, string code, bool member) =>
        Assert.Equal(member, Set(id).Contains(CodeSystems.Snomed, code));

    [Theory]
    [InlineData("14806007", "C1")]
    [InlineData("87391001", "C7")]
    [InlineData("64864005", "T1")]
    [InlineData("23215003", "T12")]
    [InlineData("66794005", "L1")]
    [InlineData("49668003", "L5")]
    [InlineData("54735007", "S")]
    [InlineData("64688005", "Coccyx")]
    public void Vertebra_structures_display_the_level_label(string code, string level)
    {
        Assert.True(Set("vertebra-structures").Contains(CodeSystems.Snomed, code));
        Assert.Equal(level, Set("vertebra-structures").DisplayOf(CodeSystems.Snomed, code));
    }

    [Fact]
    public void Vertebra_structures_hold_every_cervical_thoracic_and_lumbar_level_once()
    {
        var codes = Set("vertebra-structures").EnumeratedCodes(CodeSystems.Snomed);
        var labels = codes.Select(c => Set("vertebra-structures").DisplayOf(CodeSystems.Snomed, c)).ToList();
        var expected = Enumerable.Range(1, 7).Select(i => "C" + i)
            .Concat(Enumerable.Range(1, 12).Select(i => "T" + i))
            .Concat(Enumerable.Range(1, 5).Select(i => "L" + i))
            .Concat(["S", "Coccyx"]);
        Assert.Equal(expected.Order(), labels.Order());
    }

    [Theory]
    [InlineData("analgesics-nsaid", "5640", true)]
    [InlineData("analgesics-nsaid", "197806", true)]
    [InlineData("analgesics-nsaid", "860092", true)]
    [InlineData("analgesics-nsaid", "1191", false)]
    [InlineData("analgesics-nsaid", "161", false)]
    [InlineData("analgesics-acetaminophen", "161", true)]
    [InlineData("analgesics-acetaminophen", "198440", true)]
    [InlineData("analgesics-acetaminophen", "10689", false)]
    [InlineData("analgesics-opioid", "10689", true)]
    [InlineData("analgesics-opioid", "7804", true)]
    [InlineData("analgesics-opioid", "1049621", true)]
    [InlineData("analgesics-opioid", "5640", false)]
    [InlineData("aspirin", "1191", true)]
    [InlineData("aspirin", "243670", true)]
    [InlineData("aspirin", "5640", false)]
    public void Analgesic_classes_are_disjoint_sets_of_rxnorm_codes(string id, string code, bool member) =>
        Assert.Equal(member, Set(id).Contains(CodeSystems.RxNorm, code));

    [Theory]
    [InlineData("161")]
    [InlineData("1191")]
    [InlineData("5640")]
    [InlineData("7258")]
    [InlineData("3355")]
    [InlineData("41493")]
    [InlineData("140587")]
    [InlineData("35827")]
    [InlineData("10689")]
    [InlineData("7804")]
    [InlineData("5489")]
    [InlineData("7052")]
    [InlineData("3423")]
    [InlineData("4337")]
    [InlineData("2670")]
    [InlineData("6813")]
    [InlineData("787390")]
    [InlineData("310965")]
    [InlineData("197806")]
    [InlineData("313782")]
    [InlineData("198440")]
    [InlineData("835603")]
    [InlineData("1049621")]
    [InlineData("243670")]
    public void Analgesics_is_the_union_of_the_classes_and_keeps_every_earlier_code(string code)
    {
        Assert.True(TestPolicy.Default.ValueSets["analgesics"].Contains(CodeSystems.RxNorm, code));
        Assert.Equal(1, new[] { "analgesics-nsaid", "analgesics-acetaminophen", "analgesics-opioid", "aspirin" }.Count(id => Set(id).Contains(CodeSystems.RxNorm, code)));
    }

    [Theory]
    [InlineData(CodeSystems.Icd10Cm, "M88.1", true)]
    [InlineData(CodeSystems.Icd10Cm, "M88.9", true)]
    [InlineData(CodeSystems.Icd10Cm, "M88.88", true)]
    [InlineData(CodeSystems.Icd10Cm, "C83.39", true)]
    [InlineData(CodeSystems.Icd10Cm, "C83.30", false)]
    [InlineData(CodeSystems.Icd10Cm, "C90.00", false)]
    [InlineData(CodeSystems.Icd10Cm, "Q78.0", true)]
    [InlineData(CodeSystems.Icd10Cm, "M46.26", false)]
    [InlineData(CodeSystems.Snomed, "78314001", true)]
    [InlineData(CodeSystems.Snomed, "448220006", true)]
    [InlineData(CodeSystems.Snomed, "109989006", false)]
    public void Non_covered_causes_are_paget_bone_lymphoma_and_osteogenesis_imperfecta(string system, string code, bool member) =>
        Assert.Equal(member, Set("non-covered-vertebral-indications").Contains(system, code));

    [Theory]
    [InlineData("S22.081A", true)]
    [InlineData("S22.082A", true)]
    [InlineData("S32.001A", true)]
    [InlineData("S32.052B", true)]
    [InlineData("S22.080A", false)]
    [InlineData("S32.010A", false)]
    [InlineData("S32.051S", false)]
    [InlineData("S12.001A", false)]
    public void High_energy_fractures_are_stable_or_unstable_burst_fractures_by_the_sixth_character(string code, bool member) =>
        Assert.Equal(member, Set("high-energy-vertebral-fracture").Contains(CodeSystems.Icd10Cm, code));

    [Theory]
    [InlineData("imaging-procedures-region-cervical", CodeSystems.Cpt, "72125", true)]
    [InlineData("imaging-procedures-region-cervical", CodeSystems.Cpt, "72156", true)]
    [InlineData("imaging-procedures-region-cervical", CodeSystems.Cpt, "72148", false)]
    [InlineData("imaging-procedures-region-cervical", CodeSystems.Loinc, "30667-0", true)]
    [InlineData("imaging-procedures-region-cervical", CodeSystems.Snomed, "241578008", true)]
    [InlineData("imaging-procedures-region-thoracic", CodeSystems.Cpt, "72128", true)]
    [InlineData("imaging-procedures-region-thoracic", CodeSystems.Cpt, "72157", true)]
    [InlineData("imaging-procedures-region-thoracic", CodeSystems.Loinc, "24980-5", true)]
    [InlineData("imaging-procedures-region-thoracic", CodeSystems.Cpt, "72131", false)]
    [InlineData("imaging-procedures-region-lumbar", CodeSystems.Cpt, "72131", true)]
    [InlineData("imaging-procedures-region-lumbar", CodeSystems.Cpt, "72148", true)]
    [InlineData("imaging-procedures-region-lumbar", CodeSystems.Cpt, "72158", true)]
    [InlineData("imaging-procedures-region-lumbar", CodeSystems.Loinc, "30679-5", true)]
    [InlineData("imaging-procedures-region-lumbar", CodeSystems.Loinc, "24980-5", false)]
    [InlineData("imaging-procedures-whole-spine", CodeSystems.Loinc, "30854-4", true)]
    [InlineData("imaging-procedures-whole-spine", CodeSystems.Loinc, "36067-7", true)]
    [InlineData("imaging-procedures-whole-spine", CodeSystems.Loinc, "24968-0", false)]
    [InlineData("imaging-procedures-whole-spine", CodeSystems.Cpt, "72148", false)]
    public void Imaging_procedure_codes_name_their_region(string id, string system, string code, bool member) =>
        Assert.Equal(member, Set(id).Contains(system, code));

    [Theory]
    [InlineData("inpatient-encounter-classes", ActCode, "IMP", true)]
    [InlineData("inpatient-encounter-classes", ActCode, "EMER", true)]
    [InlineData("inpatient-encounter-classes", ActCode, "OBSENC", true)]
    [InlineData("inpatient-encounter-classes", ActCode, "AMB", false)]
    [InlineData("pain-onset-observation", CodeSystems.Loinc, "11368-8", true)]
    [InlineData("pain-severity-score", CodeSystems.Loinc, "38208-5", true)]
    [InlineData("pain-severity-score", CodeSystems.Loinc, "72514-3", true)]
    [InlineData("pain-severity-qualifiers", CodeSystems.Snomed, "255604002", true)]
    [InlineData("pain-severity-qualifiers", CodeSystems.Snomed, "24484000", true)]
    [InlineData("vertebral-augmentation-history", CodeSystems.Cpt, "22513", true)]
    [InlineData("vertebral-augmentation-history", CodeSystems.Loinc, "35933-1", true)]
    [InlineData("vertebral-augmentation-history", CodeSystems.Cpt, "72148", false)]
    [InlineData("nsaid-contraindication", CodeSystems.Icd10Cm, "N18.4", true)]
    [InlineData("nsaid-contraindication", CodeSystems.Icd10Cm, "N18.6", true)]
    [InlineData("nsaid-contraindication", CodeSystems.Icd10Cm, "N18.3", false)]
    [InlineData("nsaid-contraindication", CodeSystems.Snomed, "46177005", true)]
    public void Version_2_evidence_sets_hold_their_key_codes(string id, string system, string code, bool member) =>
        Assert.Equal(member, Set(id).Contains(system, code));
}
