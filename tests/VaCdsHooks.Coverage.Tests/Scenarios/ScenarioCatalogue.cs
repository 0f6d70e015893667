using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// Checks on the Version 2 scenario set itself: its size, and that the chart and order builders produce the FHIR the
/// scenarios mean (a scenario must never fail because of a builder).
/// </summary>
public class ScenarioCatalogue
{
    private static readonly FhirJsonSerializer Json = new();

    private static IEnumerable<V2Scenario> All =>
        TreatedLevelScenarios.Table.Values
            .Concat(OnsetAndPlannedDateScenarios.Table.Values)
            .Concat(EvidenceQualityScenarios.Table.Values)
            .Concat(OptimalMedicalTherapyScenarios.Table.Values)
            .Concat(ImagingScenarios.Table.Values)
            .Concat(AddOnScenarios.Table.Values)
            .Concat(IndicationScenarios.Table.Values)
            .Concat(ExclusionScenarios.Table.Values);

    [Fact]
    public void The_version_2_scenarios_number_at_least_ninety() =>
        Assert.True(All.Count() >= 90, "only " + All.Count() + " scenarios");

    [Fact]
    public void Scenario_names_are_unique_across_classes() =>
        Assert.Equal(All.Count(), All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());

    [Fact]
    public void Every_scenario_chart_and_order_set_builds_and_serializes()
    {
        foreach (var scenario in All)
        {
            foreach (var resource in scenario.Chart().Resources.Concat(scenario.Orders()))
            {
                Assert.False(string.IsNullOrEmpty(Json.SerializeToString(resource)), scenario.Name);
            }
        }
    }

    [Fact]
    public void Order_details_serialize_as_FHIR_R4_ServiceRequest_elements()
    {
        var order = Order("22515").AtLevel("T11").PlannedOn("2027-01-10").For("second").Levels(2);

        var json = Json.SerializeToString(order);

        Assert.Contains("\"bodySite\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"122495006\"}],\"text\":\"T11\"}]", json);
        Assert.Contains("\"occurrenceDateTime\":\"2027-01-10\"", json);
        Assert.Contains("\"reasonReference\":[{\"reference\":\"Condition/second\"}]", json);
        Assert.Contains("\"quantityQuantity\":{\"value\":2", json);
        Assert.Contains("\"authoredOn\":\"2026-11-24\"", json);
    }

    [Fact]
    public void Chart_details_serialize_as_FHIR_R4_elements()
    {
        var chart = BaseAt("T12")
            .OnsetPeriod("fracture", "2026-08-01", "2026-10-31")
            .LesionAt("M80.08XA", "L1", "2026-10-01", "provisional-fracture", verificationStatus: "provisional")
            .PainVas(70, "2026-11-15", id: "vas")
            .PainSeverity("24484000", "2026-11-15", id: "severity")
            .HeightLossAt(66.7m, "2026-10-05", "T12", "fracture", id: "height")
            .Report("72146", "2026-10-05", conclusionCodes: [(Icd10, "M48.04")], conclusion: "Stenosis.", imagingStudyId: "mri", id: "report")
            .ImagingProcedure("72131", "CT", "2026-10-05", Site.Cervical, ImagingStudy.ImagingStudyStatus.Registered, id: "ct")
            .MedicationTaken("1191", "2026-10-03", "2026-11-01", MedicationStatement.MedicationStatusCodes.Completed, id: "aspirin", doseMg: 81, timesPerDay: 1)
            .MedicationTakenByReference("5640", "2026-10-03", contained: true, id: "contained")
            .MedicationTakenByReference("7804", "2026-10-03", contained: false, id: "referenced")
            .MedicationOrder("7052", "2026-10-04", MedicationRequest.MedicationRequestIntent.Proposal, route: "47625008", id: "morphine")
            .Intolerance("Opioid analgesics", [(RxNorm, "7804")], id: "allergy")
            .Admission("2026-10-02", "2026-10-05", reasonConditionId: "fracture", id: "admission")
            .PatientResource(deceasedOn: "2026-11-22")
            .PriorAugmentation("22513", "2026-06-01", "T12", id: "prior");
        string Of(string type, string id) => Json.SerializeToString(chart.Resources.Single(r => r.TypeName == type && r.Id == id));

        Assert.Contains("\"onsetPeriod\":{\"start\":\"2026-08-01\",\"end\":\"2026-10-31\"}", Of("Condition", "fracture"));
        Assert.Contains("\"text\":\"T12\"", Of("Condition", "fracture"));
        Assert.Contains("\"code\":\"provisional\"", Of("Condition", "provisional-fracture"));
        Assert.Contains("\"code\":\"122496007\"}],\"text\":\"L1\"", Of("Condition", "provisional-fracture"));
        Assert.Contains("\"valueQuantity\":{\"value\":70,\"unit\":\"mm\"", Of("Observation", "vas"));
        Assert.Contains("\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"24484000\"}]}", Of("Observation", "severity"));
        Assert.Contains("\"focus\":[{\"reference\":\"Condition/fracture\"}]", Of("Observation", "height"));
        Assert.Contains("\"bodySite\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"122495006\"}],\"text\":\"T12\"}", Of("Observation", "height"));
        Assert.Contains("\"value\":66.7", Of("Observation", "height"));
        var report = Of("DiagnosticReport", "report");
        Assert.Contains("\"status\":\"final\"", report);
        Assert.Contains("\"code\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"72146\"}]}", report);
        Assert.Contains("\"effectiveDateTime\":\"2026-10-05\"", report);
        Assert.Contains("\"imagingStudy\":[{\"reference\":\"ImagingStudy/mri\"}]", report);
        Assert.Contains("\"conclusionCode\":[{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"M48.04\"}]}]", report);
        var ct = Of("ImagingStudy", "ct");
        Assert.Contains("\"status\":\"registered\"", ct);
        Assert.Contains("\"procedureCode\":[{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"72131\"}]}]", ct);
        Assert.Contains("\"bodySite\":{\"system\":\"http://snomed.info/sct\",\"code\":\"122494005\"}", ct);
        var aspirin = Of("MedicationStatement", "aspirin");
        Assert.Contains("\"status\":\"completed\"", aspirin);
        Assert.Contains("\"effectivePeriod\":{\"start\":\"2026-10-03\",\"end\":\"2026-11-01\"}", aspirin);
        Assert.Contains("\"doseQuantity\":{\"value\":81,\"unit\":\"mg\"", aspirin);
        Assert.Contains("\"frequency\":1,\"period\":1,\"periodUnit\":\"d\"", aspirin);
        var contained = Of("MedicationStatement", "contained");
        Assert.Contains("\"contained\":[{\"resourceType\":\"Medication\",\"id\":\"med\"", contained);
        Assert.Contains("\"medicationReference\":{\"reference\":\"#med\"}", contained);
        Assert.Contains("\"medicationReference\":{\"reference\":\"Medication/med-7804\"}", Of("MedicationStatement", "referenced"));
        Assert.Contains("\"code\":\"7804\"", Of("Medication", "med-7804"));
        var morphine = Of("MedicationRequest", "morphine");
        Assert.Contains("\"intent\":\"proposal\"", morphine);
        Assert.Contains("\"route\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"47625008\"}]}", morphine);
        Assert.Contains("\"type\":\"intolerance\"", Of("AllergyIntolerance", "allergy"));
        var admission = Of("Encounter", "admission");
        Assert.Contains("\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"IMP\"}", admission);
        Assert.Contains("\"reasonReference\":[{\"reference\":\"Condition/fracture\"}]", admission);
        Assert.Contains("\"deceasedDateTime\":\"2026-11-22\"", Of("Patient", Chart.PatientId));
        Assert.Contains("\"bodySite\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"122495006\"}],\"text\":\"T12\"}]", Of("Procedure", "prior"));
    }

    [Fact]
    public void Onset_builders_write_onset_age_string_and_local_date_time()
    {
        string Onset(Chart chart) => Json.SerializeToString(chart.Resources.OfType<Condition>().Single(c => c.Id == "fracture"));

        Assert.Contains("\"onsetAge\":{\"value\":80,\"unit\":\"a\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"a\"}", Onset(Base().OnsetAge("fracture", 80)));
        Assert.Contains("\"onsetString\":\"a few months ago\"", Onset(Base().OnsetString("fracture", "a few months ago")));
        Assert.Contains("\"onsetDateTime\":\"2026-07-23T21:00:00-05:00\"", Onset(Base().Onset("fracture", new FhirDateTime("2026-07-23T21:00:00-05:00"))));
    }
}
