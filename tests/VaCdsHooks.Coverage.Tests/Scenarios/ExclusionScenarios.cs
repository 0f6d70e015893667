using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// Exclusions judged at the treated level, plus the Version 2 order rules that forbid a real-time approval (deceased
/// patient, repeat augmentation of a treated level).
/// </summary>
public class ExclusionScenarios
{
    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart Scores(decimal highest, decimal latest) => Base()
        .Without("Observation/pain-first").Without("Observation/pain-latest")
        .PainScore(highest, "2026-10-03", id: "pain-first").PainScore(latest, "2026-11-15", id: "pain-latest");

    private static IEnumerable<V2Scenario> Build()
    {
        // "Severe collapse: height loss at that level >= 66.7 % (a third or less remains)".
        yield return new("Height_loss_of_66_7_percent_at_the_treated_level_is_severe_collapse",
            () => BaseAt("T12").HeightLossAt(66.7m, "2026-10-05", "T12", "fracture"), NotCovered, (SevereCollapse, "present"));
        yield return new("Height_loss_of_66_6_percent_at_the_treated_level_is_not_severe_collapse",
            () => BaseAt("T12").HeightLossAt(66.6m, "2026-10-05", "T12", "fracture"), Covered, (SevereCollapse, "ruled-out"));
        yield return new("Height_loss_of_75_percent_about_the_fracture_by_focus_is_severe_collapse",
            () => BaseAt("T12").HeightLossAt(75, "2026-10-05", focusConditionId: "fracture"), NotCovered, (SevereCollapse, "present"));
        yield return new("Height_loss_of_70_percent_at_another_level_does_not_exclude_the_treated_level",
            () => BaseAt("T12").HeightLossAt(70, "2026-10-05", "T4"), Covered, (SevereCollapse, "ruled-out"))
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };

        // "Healed: at that level: sequela (S) or history codes; malunion (7th character P) means the fracture united:
        // unknown (ask whether CT/MRI shows it healed), never counted as a current fracture on its own."
        yield return new("Malunion_7th_character_P_leaves_healed_unknown",
            () => BaseAt("T12", "M80.08XP"), Conditional, (Healed, "unknown"));
        yield return new("Sequela_at_the_treated_level_is_a_healed_fracture",
            () => BaseAt("T12", "M80.08XS"), NotCovered, (Healed, "present"));
        yield return new("Sequela_at_another_thoracic_level_is_irrelevant_to_the_new_fracture_being_treated",
            () => BaseAt("T12").LesionAt("M80.08XS", "T6", "2025-02-01", "old"), Covered, (Healed, "ruled-out"))
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };
        yield return new("Sequela_in_the_lumbar_spine_is_irrelevant_to_a_thoracic_kyphoplasty",
            () => BaseAt("T12").LesionAt("M80.08XS", "L3", "2025-02-01", "old"), Covered, (Healed, "ruled-out"));

        // "Region: the treated level is C, T or L; sacral/coccygeal treated level = exclusion."
        yield return new("Sacral_treated_level_is_excluded",
            () => Base().Without("Condition/fracture").LesionAt("M80.08XA", "S1", "2026-10-01", "fracture").Without("ImagingStudy/mri").Imaging("MR", "2026-10-05", Site.Spine, id: "mri"),
            NotCovered, (SacrumCoccyx, "present"))
        {
            Orders = () => [Order("22511")],
        };
        yield return new("Coccyx_fracture_as_the_only_lesion_is_excluded",
            () => Base().Without("Condition/fracture").Condition("S32.2XXA", onset: "2026-10-01", id: "fracture").Without("ImagingStudy/mri").Imaging("MR", "2026-10-05", Site.Spine, id: "mri"),
            NotCovered, (SacrumCoccyx, "present"))
        {
            Orders = () => [Order("22511")],
        };

        yield return new("Coded_spinal_cord_compression_is_present", () => Base().Condition("G95.20", onset: "2026-10-05"), NotCovered, (CordCompression, "present"));
        yield return new("Latest_pain_score_0_is_an_asymptomatic_fracture", () => Scores(8, 0), NotCovered, (Asymptomatic, "present"));

        // "responding: latest score <= 3/10 and at least 50 % below the highest since onset".
        yield return new("Pain_3_of_10_exactly_half_of_the_highest_6_is_responding", () => Scores(6, 3), NotCovered, (Responding, "present"));
        yield return new("Pain_3_of_10_down_from_5_is_not_responding_but_not_a_failed_trial_either", () => Scores(5, 3), Conditional, (Responding, "ruled-out"), (FailedOmt, "not-met"));

        // "A deceased patient (Patient.deceased[x]) gets no real-time approval."
        yield return new("Deceased_patient_gets_no_real_time_approval", () => Base().PatientResource(deceasedOn: "2026-11-22"), NeverCovered);
        yield return new("Living_patient_with_a_Patient_resource_is_covered", () => Base().PatientResource(), Covered);

        // "a repeat augmentation of a level already treated (Procedure history at that level) is unknown (ask), not
        // covered on the spot."
        yield return new("Repeat_augmentation_at_an_already_treated_level_named_by_the_order_is_conditional",
            () => BaseAt("T12").PriorAugmentation("22513", "2026-06-01", "T12"), Conditional)
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };
        yield return new("Repeat_augmentation_at_the_only_lesion_of_the_region_is_conditional",
            () => BaseAt("T12").PriorAugmentation("22513", "2026-06-01", "T12"), Conditional);
        yield return new("Prior_augmentation_at_another_level_is_irrelevant",
            () => BaseAt("T12").PriorAugmentation("22513", "2025-03-01", "T8"), Covered)
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };
    }
}
