using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;
using Intent = Hl7.Fhir.Model.MedicationRequest.MedicationRequestIntent;
using RequestStatus = Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus;
using StatementStatus = Hl7.Fhir.Model.MedicationStatement.MedicationStatusCodes;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "Failed optimal medical therapy: an analgesic trial inside the episode (NSAIDs, acetaminophen, opioids, tramadol;
/// not low-dose aspirin &lt;= 325 mg/day or antiplatelet use), lasting at least 14 days before a later pain score that
/// is still &gt;= 4/10 ...; or a documented contraindication or intolerance to the analgesic classes not tried ... with
/// the remaining first-line therapy tried and failed; or parenteral opioids or a hospital admission for the pain
/// inside the episode." (ACR: "pain refractory to oral medications (NSAIDs and/or narcotics) or a contraindication to
/// such medications or a requirement for parenteral narcotics and hospital admission".)
/// The baseline's later score is 7/10 on 2026-11-15; pain onset 2026-10-01.
/// </summary>
public class OptimalMedicalTherapyScenarios
{
    private const string Ibuprofen = "5640";
    private const string Acetaminophen = "161";
    private const string Aspirin = "1191";
    private const string Tramadol = "10689";
    private const string Oxycodone = "7804";
    private const string Morphine = "7052";
    private const string Ketorolac = "35827";
    private const string Intravenous = "47625008";

    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    /// <summary>The baseline without ibuprofen and physical therapy: pain 8/10 then 7/10, nothing tried.</summary>
    private static Chart NoTherapy() => Base().Without("MedicationStatement/ibuprofen").Without("Procedure/pt");

    private static IEnumerable<V2Scenario> Build()
    {
        // Timing of the trial and of the later score.
        yield return new("Pain_score_on_the_day_therapy_starts_does_not_show_failure",
            () => Base().Without("Observation/pain-latest"), Conditional, (FailedOmt, "unknown"));
        yield return new("Thirteen_days_of_analgesics_before_the_later_score_is_not_a_failed_trial",
            () => NoTherapy().Analgesic(Ibuprofen, "2026-11-02"), Conditional, (FailedOmt, "unknown"));
        yield return new("Fourteen_days_of_analgesics_before_a_later_score_of_7_is_a_failed_trial",
            () => NoTherapy().Analgesic(Ibuprofen, "2026-11-01"), Covered, (FailedOmt, "met"));
        yield return new("Therapy_starting_seven_days_before_pain_onset_counts",
            () => Base().Without("MedicationStatement/ibuprofen").Analgesic(Ibuprofen, "2026-09-24"), Covered, (FailedOmt, "met"));
        yield return new("Therapy_starting_eight_days_before_pain_onset_does_not_count",
            () => Base().Without("MedicationStatement/ibuprofen").Analgesic(Ibuprofen, "2026-09-23"), Conditional, (FailedOmt, "unknown"));
        yield return new("Later_pain_score_of_4_after_the_trial_is_still_significant",
            () => Base().Without("Observation/pain-latest").PainScore(4, "2026-11-15"), Covered, (FailedOmt, "met"));

        // "bracing, bed rest and physical therapy count alongside analgesics, not instead of them".
        yield return new("Physical_therapy_without_analgesics_is_not_optimal_medical_therapy",
            () => NoTherapy().PhysicalTherapy("2026-10-06"), Conditional, (FailedOmt, "unknown"));

        // MedicationStatement status: "active or completed (not intended, not-taken, stopped before onset, entered-in-error)".
        yield return new("Intended_analgesic_does_not_count",
            () => NoTherapy().MedicationTaken(Ibuprofen, "2026-10-03", status: StatementStatus.Intended), Conditional, (FailedOmt, "unknown"));
        yield return new("Analgesic_not_taken_does_not_count",
            () => NoTherapy().MedicationTaken(Ibuprofen, "2026-10-03", status: StatementStatus.NotTaken), Conditional, (FailedOmt, "unknown"));
        yield return new("Analgesic_entered_in_error_does_not_count",
            () => NoTherapy().MedicationTaken(Ibuprofen, "2026-10-03", status: StatementStatus.EnteredInError), Conditional, (FailedOmt, "unknown"));
        yield return new("Analgesic_stopped_before_the_fracture_does_not_count",
            () => NoTherapy().MedicationTaken(Ibuprofen, "2026-05-01", "2026-08-01", StatementStatus.Stopped), Conditional, (FailedOmt, "unknown"));
        yield return new("Completed_analgesic_course_inside_the_episode_counts",
            () => NoTherapy().MedicationTaken(Ibuprofen, "2026-10-03", "2026-11-10", StatementStatus.Completed), Covered, (FailedOmt, "met"));

        // Which drugs.
        yield return new("Low_dose_aspirin_81_mg_daily_does_not_count",
            () => NoTherapy().MedicationTaken(Aspirin, "2026-10-03", doseMg: 81, timesPerDay: 1), Conditional, (FailedOmt, "unknown"));
        yield return new("Analgesic_dose_aspirin_650_mg_four_times_daily_counts",
            () => NoTherapy().MedicationTaken(Aspirin, "2026-10-03", doseMg: 650, timesPerDay: 4), Covered, (FailedOmt, "met"));
        yield return new("Acetaminophen_counts", () => NoTherapy().MedicationTaken(Acetaminophen, "2026-10-03"), Covered, (FailedOmt, "met"));
        yield return new("Tramadol_counts", () => NoTherapy().MedicationTaken(Tramadol, "2026-10-03"), Covered, (FailedOmt, "met"));
        yield return new("Oral_oxycodone_order_counts", () => NoTherapy().MedicationOrder(Oxycodone, "2026-10-03"), Covered, (FailedOmt, "met"));

        // "Read medicationReference (contained or in the record) as well as medicationCodeableConcept."
        yield return new("Analgesic_named_by_a_contained_Medication_counts",
            () => NoTherapy().MedicationTakenByReference(Ibuprofen, "2026-10-03", contained: true), Covered, (FailedOmt, "met"));
        yield return new("Analgesic_named_by_a_Medication_resource_in_the_record_counts",
            () => NoTherapy().MedicationTakenByReference(Oxycodone, "2026-10-03", contained: false), Covered, (FailedOmt, "met"));

        // MedicationRequest: "intent is order/plan and status active or completed".
        yield return new("Proposed_opioid_prescription_does_not_count",
            () => NoTherapy().MedicationOrder(Oxycodone, "2026-10-03", Intent.Proposal), Conditional, (FailedOmt, "unknown"));
        yield return new("Planned_active_opioid_prescription_counts",
            () => NoTherapy().MedicationOrder(Oxycodone, "2026-10-03", Intent.Plan), Covered, (FailedOmt, "met"));
        yield return new("Cancelled_opioid_order_does_not_count",
            () => NoTherapy().MedicationOrder(Oxycodone, "2026-10-03", status: RequestStatus.Cancelled), Conditional, (FailedOmt, "unknown"));
        yield return new("Draft_opioid_order_does_not_count",
            () => NoTherapy().MedicationOrder(Oxycodone, "2026-10-03", status: RequestStatus.Draft), Conditional, (FailedOmt, "unknown"));

        // "parenteral opioids or a hospital admission for the pain inside the episode" (opioids, not any parenteral drug).
        yield return new("Parenteral_opioid_inside_the_episode_counts",
            () => NoTherapy().MedicationOrder(Morphine, "2026-10-04", route: Intravenous), Covered, (FailedOmt, "met"));
        yield return new("Parenteral_ketorolac_alone_is_not_a_parenteral_opioid",
            () => NoTherapy().MedicationOrder(Ketorolac, "2026-11-12", route: Intravenous), Conditional, (FailedOmt, "unknown"));
        yield return new("Parenteral_opioid_before_the_episode_does_not_count",
            () => NoTherapy().MedicationOrder(Morphine, "2026-08-15", route: Intravenous), Conditional, (FailedOmt, "unknown"));
        yield return new("Inpatient_admission_for_the_fracture_pain_counts",
            () => NoTherapy().Admission("2026-10-02", "2026-10-05", reasonConditionId: "fracture"), Covered, (FailedOmt, "met"));
        yield return new("Inpatient_admission_for_pneumonia_does_not_count",
            () => NoTherapy().Admission("2026-10-12", "2026-10-16", reasonIcd10: "J18.9"), Conditional, (FailedOmt, "unknown"));
        yield return new("Outpatient_visit_for_the_fracture_is_not_an_admission",
            () => NoTherapy().Admission("2026-10-02", "2026-10-02", reasonConditionId: "fracture", classCode: "AMB"), Conditional, (FailedOmt, "unknown"));

        // "a documented contraindication or intolerance to the analgesic classes not tried (... an opioid intolerance
        // recorded as AllergyIntolerance) with the remaining first-line therapy tried and failed".
        yield return new("Opioid_intolerance_with_NSAIDs_tried_and_failed_counts",
            () => Base().Intolerance("Opioid analgesics", [(RxNorm, Oxycodone), (RxNorm, Morphine)]), Covered, (FailedOmt, "met"));
        yield return new("Opioid_intolerance_with_nothing_else_tried_is_unknown",
            () => NoTherapy().Intolerance("Opioid analgesics", [(RxNorm, Oxycodone), (RxNorm, Morphine)]), Conditional, (FailedOmt, "unknown"));
    }
}
