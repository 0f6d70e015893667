using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "Indication: the lesion's kind." The six covered indications, judged per lesion at the treated level, in
/// ICD-10-CM or SNOMED CT; indications outside the six "are never covered on the spot: not covered when the cause is
/// documented, conditional when it may still be one of the six."
/// </summary>
public class IndicationScenarios
{
    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart NoFracture() => Base().Without("Condition/fracture");

    private static IEnumerable<V2Scenario> Build()
    {
        // "Metastasis (C79.51/C79.52) and myeloma (C90.0-) count only with a vertebral site or a pathological vertebral
        // fracture at that level (M84.58- with a vertebral or unknown bodySite; a rib or other non-spine bodySite is not
        // vertebral); otherwise the indication is unknown".
        yield return new("Bone_metastasis_C79_51_without_a_vertebral_site_is_unknown",
            () => NoFracture().Condition("C79.51", onset: "2026-10-01", id: "metastasis"), Conditional, (Indication, "unknown"));
        yield return new("Bone_metastasis_with_a_pathological_vertebral_fracture_M84_58XA_at_the_level_is_covered",
            () => NoFracture().Condition("C79.51", onset: "2025-06-01", id: "metastasis").LesionAt("M84.58XA", "T12", "2026-10-01", "fracture"),
            Covered, (Indication, "met"));
        yield return new("Bone_metastasis_with_a_pathological_fracture_M84_58XA_without_bodySite_is_covered",
            () => NoFracture().Condition("C79.51", onset: "2025-06-01", id: "metastasis").Condition("M84.58XA", onset: "2026-10-01", id: "fracture"),
            Covered, (Indication, "met"));
        yield return new("Bone_metastasis_recorded_at_the_T12_vertebra_is_covered",
            () => NoFracture().LesionAt("C79.51", "T12", "2026-10-01", "fracture"), Covered, (Indication, "met"));
        yield return new("Bone_metastasis_with_a_pathological_fracture_of_a_rib_is_not_vertebral",
            () => NoFracture().Condition("C79.51", onset: "2025-06-01", id: "metastasis").Condition("M84.58XA", onset: "2026-10-01", bodySite: Site.Rib, id: "rib-fracture"),
            Conditional, (Indication, "unknown"));
        yield return new("Multiple_myeloma_with_a_rib_bodySite_is_not_vertebral",
            () => NoFracture().Condition("C90.00", onset: "2026-10-01", bodySite: Site.Rib, id: "myeloma"), Conditional, (Indication, "unknown"));
        yield return new("Multiple_myeloma_without_a_site_is_unknown",
            () => NoFracture().Condition("C90.00", onset: "2026-10-01", id: "myeloma"), Conditional, (Indication, "unknown"));
        yield return new("Multiple_myeloma_with_a_pathological_fracture_at_L1_is_covered_for_a_lumbar_kyphoplasty",
            () => LumbarBase().Without("Condition/fracture").Condition("C90.00", onset: "2025-01-10", id: "myeloma").LesionAt("M84.58XA", "L1", "2026-10-01", "fracture"),
            Covered, (Indication, "met"))
        {
            Orders = () => [Order("22514")],
        };

        // "A low-energy fracture coded as an injury (S22.0-/S32.0-/S12.-) in a patient on long-term glucocorticoids
        // (Z79.52, T38.0X5-) without an osteoporosis code is unknown (ask whether it is a steroid-induced insufficiency
        // fracture), not denied."
        yield return new("Thoracic_wedge_fracture_coded_as_injury_on_long_term_steroids_without_osteoporosis_is_conditional",
            () => BaseAt("T12", "S22.080A").Condition("Z79.52"), Conditional, (Indication, "unknown"));
        yield return new("Thoracic_wedge_fracture_coded_as_injury_with_a_glucocorticoid_adverse_effect_is_conditional",
            () => BaseAt("T12", "S22.080A").Condition("T38.0X5A"), Conditional, (Indication, "unknown"));
        yield return new("Lumbar_wedge_fracture_coded_as_injury_on_long_term_steroids_without_osteoporosis_is_conditional",
            () => LumbarBase().Without("Condition/fracture").LesionAt("S32.010A", "L1", "2026-10-01", "fracture").Condition("Z79.52"),
            Conditional, (Indication, "unknown"))
        {
            Orders = () => [Order("22514")],
        };

        // "A hemangioma with a compression fracture at the same level may count as aggressive [choice: yes]".
        yield return new("Hemangioma_with_a_compression_fracture_at_the_same_level_counts_as_aggressive",
            () => NoFracture().LesionAt("D18.09", "T7", "2026-10-01", "hemangioma").LesionAt("M48.54XA", "T7", "2026-10-01", "fracture"),
            Covered, (Indication, "met"));
        yield return new("Hemangioma_with_a_compression_fracture_at_another_level_is_not_shown_aggressive",
            () => NoFracture().LesionAt("D18.09", "T7", "2026-10-01", "hemangioma").LesionAt("M48.54XA", "T10", "2026-10-01", "fracture"),
            Conditional, (Indication, "unknown"));

        // Outside the six, cause documented: not covered.
        yield return new("Paget_disease_of_the_vertebra_as_the_documented_cause_is_not_covered",
            () => NoFracture().LesionAt("M88.1", "T12", "2025-01-15", "paget").LesionAt("M84.68XA", "T12", "2026-10-01", "fracture"),
            NotCovered, (Indication, "not-met"));
        yield return new("High_energy_burst_fracture_without_osteoporosis_is_not_covered",
            () => BaseAt("T12", "S22.081A").Condition("V43.52XA", onset: "2026-10-01"), NotCovered, (Indication, "not-met"));
        yield return new("Lymphoma_with_a_pathological_vertebral_fracture_is_never_covered_on_the_spot",
            () => NoFracture().Condition("C85.90", onset: "2025-05-01", id: "lymphoma").LesionAt("M84.58XA", "T12", "2026-10-01", "fracture"), NeverCovered);
        yield return new("Osteogenesis_imperfecta_with_a_collapsed_vertebra_is_never_covered_on_the_spot",
            () => BaseAt("T12", "M48.54XA").Condition("Q78.0", onset: "1950-01-01"), NeverCovered);

        // "Every code set accepts both ICD-10-CM and SNOMED CT where the EHR may use either".
        yield return new("SNOMED_coded_osteoporotic_fracture_at_T12_works_like_ICD_10_CM",
            () => NoFracture().LesionAt("443165006", "T12", "2026-10-01", "fracture", system: Snomed), Covered, (Indication, "met"));
        yield return new("SNOMED_coded_osteoporosis_with_a_collapsed_vertebra_works_like_M81",
            () => BaseAt("T12", "M48.54XA").Condition("64859006", system: Snomed), Covered, (Indication, "met"));
        yield return new("Collapsed_vertebra_without_osteoporosis_or_other_cause_is_unknown",
            () => BaseAt("T12", "M48.54XA"), Conditional, (Indication, "unknown"));
    }
}
