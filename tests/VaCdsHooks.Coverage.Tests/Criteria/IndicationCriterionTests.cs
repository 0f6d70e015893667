using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class IndicationCriterionTests
{
    private static CriterionResult Indication(Chart chart) => Engine.Criterion<IndicationCriterion>(chart);

    private static Chart Fracture(string code) => Chart.Empty().WithCoverage().Condition(code, onset: "2026-10-01", bodySite: Site.Thoracic, id: "lesion");

    [Fact]
    public void Age_related_osteoporotic_vertebral_fracture_initial_encounter_is_a_covered_indication()
    {
        var result = Indication(Fracture("M80.08XA"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains(result.Evidence, e => e.Reference == "Condition/lesion" && e.Code == "M80.08XA");
    }

    [Theory]
    [InlineData("M80.08XD")]
    [InlineData("M80.08XG")]
    [InlineData("M80.08XK")]
    [InlineData("M80.88XP")]
    public void Osteoporotic_vertebral_fracture_in_healing_nonunion_or_malunion_is_still_a_covered_indication(string code) =>
        Assert.Equal(CriterionStatus.Met, Indication(Fracture(code)).Status);

    [Fact]
    public void Osteoporotic_fracture_coded_only_as_sequela_is_not_a_current_indication() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("M80.08XS")).Status);

    [Fact]
    public void Osteoporotic_fracture_of_the_femur_is_not_a_vertebral_indication() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("M80.051A")).Status);

    [Fact]
    public void Collapsed_vertebra_with_osteoporosis_is_an_osteoporotic_compression_fracture()
    {
        var chart = Fracture("M48.54XA").Condition("M81.0", id: "osteoporosis");
        var result = Indication(chart);
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains(result.Evidence, e => e.Reference == "Condition/osteoporosis");
    }

    [Fact]
    public void Collapsed_vertebra_without_a_documented_cause_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("M48.54XA")).Status);

    [Fact]
    public void Collapsed_vertebra_with_long_term_systemic_steroids_is_a_steroid_induced_fracture()
    {
        var result = Indication(Fracture("M48.56XA").Condition("Z79.52"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains("steroid-induced", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Glucocorticoid_adverse_effect_with_osteoporotic_fracture_is_a_steroid_induced_fracture() =>
        Assert.Contains("steroid-induced", Indication(Fracture("M80.88XA").Condition("T38.0X5A")).Explanation, StringComparison.Ordinal);

    [Theory]
    [InlineData("C79.51")]
    [InlineData("C79.52")]
    public void Osteolytic_metastatic_disease_at_a_vertebral_site_is_a_covered_indication(string code) =>
        Assert.Equal(CriterionStatus.Met, Indication(Fracture(code)).Status);

    [Fact]
    public void Pathological_fracture_in_neoplastic_disease_with_bone_metastases_is_a_covered_indication() =>
        Assert.Equal(CriterionStatus.Met, Indication(Fracture("M84.58XA").Condition("C79.51")).Status);

    // Version 2: the neoplasm behind a pathological fracture must be one of the six; without it, it is asked.
    [Fact]
    public void Pathological_fracture_in_neoplastic_disease_without_the_neoplasm_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("M84.58XA")).Status);

    [Theory]
    [InlineData("C90.00")]
    [InlineData("C90.02")]
    public void Multiple_myeloma_is_a_covered_indication(string code) =>
        Assert.Equal(CriterionStatus.Met, Indication(Fracture(code)).Status);

    [Fact]
    public void Multiple_myeloma_coded_in_snomed_at_a_thoracic_site_is_a_covered_indication() =>
        Assert.Equal(CriterionStatus.Met, Indication(Chart.Empty().Condition("109989006", bodySite: Site.Thoracic, system: CodeSystems.Snomed)).Status);

    // Version 2: myeloma counts "involving a vertebral body"; without a vertebral site it is asked, not assumed.
    [Fact]
    public void Multiple_myeloma_coded_in_snomed_without_a_site_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Chart.Empty().Condition("109989006", system: CodeSystems.Snomed)).Status);

    [Fact]
    public void Vertebral_hemangioma_without_documented_features_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("D18.09")).Status);

    [Fact]
    public void Vertebral_hemangioma_with_aggressive_features_is_a_covered_indication()
    {
        var result = Indication(Fracture("D18.09").Finding(FindingCodes.HemangiomaAggressiveFeatures, true, id: "aggressive"));
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains(result.Evidence, e => e.Reference == "Observation/aggressive" && e.AttestedBy == "Practitioner/surgeon");
    }

    [Fact]
    public void Vertebral_hemangioma_answered_without_aggressive_features_is_not_a_covered_indication() =>
        Assert.Equal(CriterionStatus.NotMet, Indication(Fracture("D18.09").Finding(FindingCodes.HemangiomaAggressiveFeatures, false)).Status);

    [Fact]
    public void Drug_induced_osteonecrosis_with_an_unstable_fracture_is_a_covered_indication() =>
        Assert.Equal(CriterionStatus.Met, Indication(Fracture("M87.188").Finding(FindingCodes.OsteonecrosisUnstableFracture, true)).Status);

    [Fact]
    public void Osteonecrosis_without_documented_instability_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("M87.38")).Status);

    [Fact]
    public void Traumatic_vertebral_fracture_without_osteoporosis_or_neoplasm_is_not_covered() =>
        Assert.Equal(CriterionStatus.NotMet, Indication(Fracture("S22.050A")).Status);

    [Fact]
    public void Traumatic_vertebral_fracture_in_an_osteoporotic_patient_needs_documentation() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Fracture("S32.010A").Condition("M81.0")).Status);

    [Fact]
    public void Resolved_osteoporotic_fracture_condition_does_not_count() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Chart.Empty().Condition("M80.08XA", clinicalStatus: "resolved")).Status);

    [Fact]
    public void Fracture_entered_in_error_does_not_count() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Chart.Empty().Condition("M80.08XA", verificationStatus: "entered-in-error")).Status);

    [Fact]
    public void Fracture_of_another_patient_is_never_evidence() =>
        Assert.Equal(CriterionStatus.Unknown, Indication(Chart.Empty().Condition("M80.08XA", subject: "someone-else")).Status);

    [Fact]
    public void Icd_code_sent_without_the_dot_still_matches() =>
        Assert.Equal(CriterionStatus.Met, Indication(Chart.Empty().Condition("M8008XA")).Status);

    [Fact]
    public void Any_coding_of_the_condition_may_match()
    {
        var condition = new Hl7.Fhir.Model.Condition
        {
            Id = "two-codings",
            Subject = new Hl7.Fhir.Model.ResourceReference("Patient/" + Chart.PatientId),
            Code = new Hl7.Fhir.Model.CodeableConcept("http://example.org/local-codes", "VCF"),
        };
        condition.Code.Coding.Add(new Hl7.Fhir.Model.Coding(CodeSystems.Icd10Cm, "M80.08XA"));
        Assert.Equal(CriterionStatus.Met, Indication(Chart.Empty().Add(condition)).Status);
    }
}
