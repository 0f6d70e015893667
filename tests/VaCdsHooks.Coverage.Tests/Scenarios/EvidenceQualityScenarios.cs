using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "Evidence quality (everywhere)": verification status of Conditions, status of Observations, dates, the shapes in
/// which EHRs send pain scores, and exclusions written only as narrative.
/// </summary>
public class EvidenceQualityScenarios
{
    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart FractureVerified(string verification) =>
        Base().Edit<Condition>("fracture", c => c.VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification));

    private static Chart LaterScore(ObservationStatus status) =>
        Base().Without("Observation/pain-latest").PainScore(7, "2026-11-15", id: "pain-latest", status: status);

    private static IEnumerable<V2Scenario> Build()
    {
        // "A suspected indication is not an indication (unknown)".
        yield return new("Suspected_provisional_osteoporotic_fracture_is_not_an_indication", () => FractureVerified("provisional"), Conditional, (Indication, "unknown"));
        yield return new("Differential_diagnosis_of_osteoporotic_fracture_is_not_an_indication", () => FractureVerified("differential"), Conditional, (Indication, "unknown"));
        yield return new("Unconfirmed_osteoporotic_fracture_is_not_an_indication", () => FractureVerified("unconfirmed"), Conditional, (Indication, "unknown"));
        yield return new("Confirmed_osteoporotic_fracture_is_an_indication", () => FractureVerified("confirmed"), Covered, (Indication, "met"));
        yield return new("Refuted_osteoporotic_fracture_is_ignored", () => FractureVerified("refuted"), Conditional, (Indication, "unknown"));
        yield return new("Resolved_osteoporotic_fracture_is_not_a_present_indication",
            () => Base().Edit<Condition>("fracture", c => c.ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved")),
            Conditional, (Indication, "unknown"));

        // "a suspected exclusion is not present but is not ruled out either (unknown, ask)".
        yield return new("Suspected_cord_compression_is_neither_present_nor_ruled_out",
            () => Base().Condition("G95.20", onset: "2026-10-05", verificationStatus: "provisional"), Conditional, (CordCompression, "unknown"));
        yield return new("Differential_cord_compression_is_neither_present_nor_ruled_out",
            () => Base().Condition("G95.20", onset: "2026-10-05", verificationStatus: "differential"), Conditional, (CordCompression, "unknown"));
        yield return new("Refuted_cord_compression_is_ignored", () => Base().Condition("G95.20", onset: "2026-10-05", verificationStatus: "refuted"), Covered, (CordCompression, "ruled-out"));

        // "Observation status must be final, amended or corrected".
        yield return new("Preliminary_later_pain_score_is_not_evidence_of_failed_therapy", () => LaterScore(ObservationStatus.Preliminary), Conditional, (FailedOmt, "unknown"));
        yield return new("Registered_later_pain_score_is_not_evidence_of_failed_therapy", () => LaterScore(ObservationStatus.Registered), Conditional, (FailedOmt, "unknown"));
        yield return new("Entered_in_error_later_pain_score_is_not_evidence_of_failed_therapy", () => LaterScore(ObservationStatus.EnteredInError), Conditional, (FailedOmt, "unknown"));
        yield return new("Amended_later_pain_score_counts", () => LaterScore(ObservationStatus.Amended), Covered, (FailedOmt, "met"));
        yield return new("Corrected_later_pain_score_counts", () => LaterScore(ObservationStatus.Corrected), Covered, (FailedOmt, "met"));

        // "Future-dated resources never count."
        yield return new("Future_dated_later_pain_score_is_not_evidence",
            () => Base().Without("Observation/pain-latest").PainScore(7, "2026-12-01", id: "pain-latest"), Conditional, (FailedOmt, "unknown"));
        yield return new("Future_dated_oswestry_index_is_not_evidence",
            () => Base().Without("Observation/odi").Odi(42, "2026-12-01"), Conditional, (PainImpairment, "unknown"));

        // "Pain severity: LOINC 72514-3 and 38208-5 (0-10); ... a 100 mm VAS divided by 10; a coded severity counts as
        // a pain finding but not as a number."
        yield return new("Pain_scores_coded_LOINC_38208_5_count_like_72514_3",
            () => Base().Without("Observation/pain-first").Without("Observation/pain-latest")
                .PainScoreAs("38208-5", 8, "2026-10-03").PainScoreAs("38208-5", 7, "2026-11-15"),
            Covered, (PainImpairment, "met"), (FailedOmt, "met"));
        yield return new("Visual_analogue_scale_70_mm_counts_as_7_of_10",
            () => Base().Without("Observation/pain-latest").PainVas(70, "2026-11-15"), Covered, (FailedOmt, "met"), (Responding, "ruled-out"));
        yield return new("Visual_analogue_scale_30_mm_after_8_of_10_is_responding_to_therapy",
            () => Base().Without("Observation/pain-latest").PainVas(30, "2026-11-15"), NotCovered, (Responding, "present"));
        yield return new("Coded_severe_pain_without_a_number_leaves_the_numeric_criteria_unknown",
            () => Base().Without("Observation/pain-first").Without("Observation/pain-latest").PainSeverity("24484000", "2026-11-15"),
            Conditional, (FailedOmt, "unknown"), (Responding, "unknown"));

        // "Exclusions written only as narrative (no code) are not 'ruled out': unknown, ask."
        yield return new("Cord_compression_written_only_as_narrative_is_unknown",
            () => Base().NarrativeCondition("Compression of the spinal cord at T12 on MRI", onset: "2026-10-05"), Conditional, (CordCompression, "unknown"));
        yield return new("Healed_fracture_written_only_as_narrative_is_unknown",
            () => Base().NarrativeCondition("T12 compression fracture, healed on CT", onset: "2026-10-05"), Conditional, (Healed, "unknown"));
    }
}
