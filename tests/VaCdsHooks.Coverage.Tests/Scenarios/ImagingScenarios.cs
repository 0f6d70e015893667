using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;
using ReportStatus = Hl7.Fhir.Model.DiagnosticReport.DiagnosticReportStatus;
using StudyStatus = Hl7.Fhir.Model.ImagingStudy.ImagingStudyStatus;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "CT/MRI ruled out other causes: a CT or MRI that was performed (ImagingStudy available, or a DiagnosticReport
/// final/amended/corrected), dated inside the episode, covering the treated region (series bodySite, or a procedure
/// code such as CPT 72125-72133 / 72141-72158 for the region, or a whole-spine site). A study of another region, a
/// scheduled (registered) study or a cancelled one does not count." The closed world for exclusions holds only under
/// such a study, and "a report with only narrative leaves the exclusions it could concern unknown".
/// </summary>
public class ImagingScenarios
{
    private const string CtThoracic = "72128";
    private const string CtLumbar = "72131";
    private const string MriThoracic = "72146";

    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart NoImaging() => Base().Without("ImagingStudy/mri");

    private static Chart LumbarNoImaging() => LumbarBase().Without("ImagingStudy/mri");

    private static IEnumerable<V2Scenario> Build()
    {
        // The region a study covers.
        yield return new("CT_of_the_lumbar_spine_by_procedure_code_72131_covers_a_lumbar_treated_level",
            () => LumbarNoImaging().ImagingProcedure(CtLumbar, "CT", "2026-10-05"), Covered, (ImagingRuledOut, "met"))
        {
            Orders = () => [Order("22514")],
        };
        yield return new("MRI_of_the_thoracic_spine_by_procedure_code_72146_covers_a_thoracic_treated_level",
            () => NoImaging().ImagingProcedure(MriThoracic, "MR", "2026-10-05"), Covered, (ImagingRuledOut, "met"));
        yield return new("CT_of_the_lumbar_spine_does_not_cover_a_thoracic_treated_level",
            () => NoImaging().ImagingProcedure(CtLumbar, "CT", "2026-10-05"), Conditional, (ImagingRuledOut, "unknown"), (CordCompression, "unknown"));
        yield return new("MRI_of_the_cervical_spine_does_not_rule_out_other_causes_for_a_lumbar_treated_level",
            () => LumbarNoImaging().Imaging("MR", "2026-10-05", Site.Cervical), Conditional, (ImagingRuledOut, "unknown"), (CordCompression, "unknown"))
        {
            Orders = () => [Order("22514")],
        };
        yield return new("MRI_of_the_whole_spine_covers_a_lumbar_treated_level",
            () => LumbarNoImaging().Imaging("MR", "2026-10-05", Site.Spine), Covered, (ImagingRuledOut, "met"))
        {
            Orders = () => [Order("22514")],
        };

        // Performed, inside the episode.
        yield return new("Scheduled_MRI_registered_is_not_evidence",
            () => NoImaging().Imaging("MR", "2026-11-20", Site.Thoracic, status: StudyStatus.Registered), Conditional, (ImagingRuledOut, "unknown"), (CordCompression, "unknown"));
        yield return new("Cancelled_MRI_is_not_evidence",
            () => NoImaging().Imaging("MR", "2026-10-05", Site.Thoracic, status: StudyStatus.Cancelled), Conditional, (ImagingRuledOut, "unknown"), (CordCompression, "unknown"));
        yield return new("MRI_before_pain_onset_is_outside_the_episode",
            () => NoImaging().Imaging("MR", "2026-09-20", Site.Thoracic), Conditional, (ImagingRuledOut, "unknown"), (SevereCollapse, "unknown"));
        yield return new("MRI_dated_after_today_is_not_evidence",
            () => NoImaging().Imaging("MR", "2026-11-30", Site.Thoracic), Conditional, (ImagingRuledOut, "unknown"));

        // Imaging reports: "every evidence type the policy names: imaging reports (DiagnosticReport with conclusionCode ...)".
        yield return new("Final_MRI_report_without_an_ImagingStudy_counts_as_cross_sectional_imaging",
            () => NoImaging().Report(MriThoracic, "2026-10-05", conclusionCodes: [(Snomed, "64859006")], id: "mri-report"), Covered, (ImagingRuledOut, "met"));
        yield return new("Amended_MRI_report_counts_as_cross_sectional_imaging",
            () => NoImaging().Report(MriThoracic, "2026-10-05", ReportStatus.Amended, [(Snomed, "64859006")], id: "mri-report"), Covered, (ImagingRuledOut, "met"));
        yield return new("Preliminary_MRI_report_is_not_evidence",
            () => NoImaging().Report(MriThoracic, "2026-10-05", ReportStatus.Preliminary, [(Snomed, "64859006")], id: "mri-report"), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("Cancelled_MRI_report_is_not_evidence",
            () => NoImaging().Report(MriThoracic, "2026-10-05", ReportStatus.Cancelled, [(Snomed, "64859006")], id: "mri-report"), Conditional, (ImagingRuledOut, "unknown"));

        // Competing pain generators, in ICD-10-CM or SNOMED CT, as problems or as report conclusions.
        yield return new("Final_CT_report_with_a_coded_conclusion_of_spinal_stenosis_flags_a_competing_pain_generator",
            () => Base().Report(CtThoracic, "2026-10-06", conclusionCodes: [(Icd10, "M48.04")], id: "ct-report"), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("Final_CT_report_with_a_SNOMED_coded_conclusion_of_spinal_stenosis_flags_a_competing_pain_generator",
            () => Base().Report(CtThoracic, "2026-10-06", conclusionCodes: [(Snomed, "76107001")], id: "ct-report"), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("SNOMED_coded_spinal_stenosis_problem_flags_a_competing_pain_generator",
            () => Base().Condition("76107001", onset: "2026-10-05", system: Snomed), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("Vertebral_osteomyelitis_flags_a_competing_pain_generator",
            () => Base().Condition("M46.24", onset: "2026-10-05"), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("Discitis_flags_a_competing_pain_generator",
            () => Base().Condition("M46.44", onset: "2026-10-05"), Conditional, (ImagingRuledOut, "unknown"));
        yield return new("Thoracic_radiculopathy_flags_a_competing_pain_generator",
            () => Base().Condition("M54.14", onset: "2026-10-05"), Conditional, (ImagingRuledOut, "unknown"));

        // "anything the engine cannot read as codes (a report with only narrative) leaves the exclusions it could
        // concern unknown."
        yield return new("Final_MRI_report_with_narrative_only_leaves_the_exclusions_unknown",
            () => NoImaging().Report(MriThoracic, "2026-10-05", conclusion: "Acute T12 compression fracture with marrow oedema. No cord compression.", id: "mri-report"),
            Conditional, (CordCompression, "unknown"), (SevereCollapse, "unknown"));
        yield return new("Narrative_only_report_of_the_MRI_beside_its_ImagingStudy_leaves_cord_compression_unknown",
            () => Base().Report(MriThoracic, "2026-10-05", conclusion: "Retropulsed fragment narrowing the canal at T12.", imagingStudyId: "mri", id: "mri-report"),
            Conditional, (CordCompression, "unknown"));
    }
}
