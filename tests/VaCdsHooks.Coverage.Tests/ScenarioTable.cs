using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;
using FhirCoverage = Hl7.Fhir.Model.Coverage;

namespace VaCdsHooks.Coverage.Tests;

/// <summary>
/// Clinical scenarios end to end through <see cref="CoverageAdvisor"/>: each states the chart, the orders, the
/// expected determination and every criterion's status (the baseline patient's statuses unless the scenario
/// says otherwise).
/// </summary>
public class ScenarioTable
{
    private const string Covered = "covered";
    private const string NotCovered = "not-covered";
    private const string Conditional = "conditional";

    private static readonly IReadOnlyDictionary<string, string> Baseline = new Dictionary<string, string>
    {
        [CriterionCodes.TreatedLevel] = "met",
        [CriterionCodes.Indication] = "met",
        [CriterionCodes.Region] = "met",
        [CriterionCodes.OnsetWindow] = "met",
        [CriterionCodes.PainImpairment] = "met",
        [CriterionCodes.FailedOmt] = "met",
        [CriterionCodes.ImagingRuledOut] = "met",
        [CriterionCodes.CordCompression] = "ruled-out",
        [CriterionCodes.SevereCollapse] = "ruled-out",
        [CriterionCodes.Healed] = "ruled-out",
        [CriterionCodes.SacrumCoccyx] = "ruled-out",
        [CriterionCodes.Asymptomatic] = "ruled-out",
        [CriterionCodes.Responding] = "ruled-out",
    };

    private static readonly Dictionary<string, Scenario> Scenarios = Build().ToDictionary(s => s.Name);

    public static TheoryData<string> Names => new(Scenarios.Keys);

    [Fact]
    public void The_table_holds_at_least_sixty_scenarios() => Assert.True(Scenarios.Count >= 60, $"only {Scenarios.Count} scenarios");

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario_gives_the_expected_determination_and_criterion_statuses(string name)
    {
        var scenario = Scenarios[name];
        var chart = scenario.Chart();
        var answer = Engine.Advise(scenario.Policy?.Invoke() ?? TestPolicy.Default, chart, scenario.Hook, CrdRequestOptions.Default, scenario.Orders);

        Assert.Equal(scenario.ExpectedAssertions, answer.Assertions.Count);
        // The instructions card shares the clinical-reminder type (CRD 2.0.1 has no instructions code); order problems are the warnings.
        Assert.Equal(scenario.ExpectedOrderProblemCards, answer.Response.Cards.Count(c => c.Source?.Topic?.Code == CrdCodes.OrderProblemCardType && c.Indicator == "warning"));
        if (scenario.ExpectedCovered is null)
        {
            return;
        }

        var assertion = answer.Assertions.First(a => a.OrderReference == scenario.OrderReference);
        Assert.Equal(scenario.ExpectedCovered, assertion.Covered);
        var expected = Baseline.ToDictionary(b => b.Key, b => scenario.StatusChanges.GetValueOrDefault(b.Key, b.Value));
        var actual = assertion.Criteria.ToDictionary(c => c.CriterionId, c => c.StatusCode);
        var differences = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
            .Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .Select(k => $"{k}: expected {expected.GetValueOrDefault(k) ?? "(none)"}, was {actual.GetValueOrDefault(k) ?? "(none)"}")
            .ToList();
        Assert.True(differences.Count == 0, string.Join("; ", differences));
    }

    private static IEnumerable<Scenario> Build()
    {
        var kypho = Orders.Procedure("22513");
        Chart Base() => Chart.CoveredThoracicFracture();
        Chart Lesion(string code, string? site = Site.Thoracic, string onset = "2026-10-01") =>
            Base().Without("Condition/fracture").Condition(code, onset: onset, bodySite: site, id: "fracture");

        // Indications, each covered when everything else is documented.
        yield return new("osteoporotic-vcf-thoracic-kyphoplasty", Base, Covered);
        // The baseline MRI is of the thoracic spine; a lumbar lesion needs CT/MRI of the lumbar spine (Version 2 imaging rule).
        yield return new("osteoporotic-vcf-lumbar-kyphoplasty", () => Lesion("M80.08XA", Site.Lumbar).Imaging("MR", "2026-10-05", Site.Lumbar), Covered) { Orders = [Orders.Procedure("22514")] };
        yield return new("lumbar-kyphoplasty-with-only-a-thoracic-mri", () => Lesion("M80.08XA", Site.Lumbar), Conditional,
            (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown")) { Orders = [Orders.Procedure("22514")] };
        yield return new("collapsed-vertebra-with-osteoporosis", () => Lesion("M48.54XA", site: null).Condition("M81.0"), Covered);
        yield return new("steroid-induced-collapse-long-term-steroids", () => Lesion("M48.56XA", site: null).Condition("Z79.52").Imaging("MR", "2026-10-05", Site.Lumbar), Covered) { Orders = [Orders.Procedure("22514")] };
        yield return new("steroid-induced-osteoporotic-fracture-adverse-effect", () => Lesion("M80.88XA").Condition("T38.0X5A"), Covered);
        yield return new("osteolytic-metastasis-thoracic", () => Lesion("C79.51"), Covered);
        yield return new("neoplastic-pathological-vertebral-fracture-with-metastatic-disease", () => Lesion("M84.58XA").Condition("C79.51"), Covered);

        // Version 2: the neoplasm must be one of the six (lymphoma is not); a pathological fracture without it is asked.
        yield return new("neoplastic-pathological-vertebral-fracture-without-the-neoplasm", () => Lesion("M84.58XA"), Conditional, (CriterionCodes.Indication, "unknown"));
        yield return new("multiple-myeloma-thoracic", () => Lesion("C90.00"), Covered);
        yield return new("aggressive-vertebral-hemangioma", () => Lesion("D18.09").Finding(FindingCodes.HemangiomaAggressiveFeatures, true), Covered);
        yield return new("unstable-fracture-due-to-osteonecrosis", () => Lesion("M87.188").Finding(FindingCodes.OsteonecrosisUnstableFracture, true), Covered);
        yield return new("cervical-collapse-vertebroplasty", () => Lesion("M48.52XA", site: null).Condition("M81.0").Imaging("MR", "2026-10-05", Site.Cervical), Covered) { Orders = [Orders.Procedure("22510")] };

        // Indications that are not (yet) covered.
        yield return new("hemangioma-features-undocumented", () => Lesion("D18.09"), Conditional, (CriterionCodes.Indication, "unknown"));
        yield return new("hemangioma-without-aggressive-features", () => Lesion("D18.09").Finding(FindingCodes.HemangiomaAggressiveFeatures, false), NotCovered, (CriterionCodes.Indication, "not-met"));
        yield return new("osteonecrosis-instability-undocumented", () => Lesion("M87.38"), Conditional, (CriterionCodes.Indication, "unknown"));
        yield return new("traumatic-fracture-without-osteoporosis", () => Lesion("S22.050A", site: null), NotCovered, (CriterionCodes.Indication, "not-met"));
        yield return new("traumatic-fracture-with-osteoporosis", () => Lesion("S22.050A", site: null).Condition("M81.0"), Conditional, (CriterionCodes.Indication, "unknown"));
        yield return new("collapsed-vertebra-cause-undocumented", () => Lesion("M48.54XA", site: null), Conditional, (CriterionCodes.Indication, "unknown"));
        yield return new("osteoporotic-femur-fracture-only", () => Lesion("M80.051A", site: null), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"));
        yield return new("no-diagnosis-coded", () => Base().Without("Condition/fracture"), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"));

        // Region.
        yield return new("sacral-collapse-only", () => Lesion("M48.58XA", site: null).Condition("M81.0"), NotCovered,
            (CriterionCodes.Region, "not-met"), (CriterionCodes.SacrumCoccyx, "present"), (CriterionCodes.ImagingRuledOut, "unknown"),
            (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown")) { Orders = [Orders.Procedure("22511")] };
        yield return new("coccyx-fracture-only", () => Lesion("S32.2XXA", site: null), NotCovered,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.Region, "not-met"), (CriterionCodes.SacrumCoccyx, "present"), (CriterionCodes.ImagingRuledOut, "unknown"),
            (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown")) { Orders = [Orders.Procedure("22511")] };
        // Version 2: the CPT region is the treated region; no lesion documented there is nothing to approve.
        yield return new("lumbar-lesion-with-thoracic-kyphoplasty-code", () => Lesion("M80.08XA", Site.Lumbar), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown")) { ExpectedOrderProblemCards = 1 };
        yield return new("thoracic-lesion-with-lumbar-kyphoplasty-code", Base, Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"), (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"),
            (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown")) { Orders = [Orders.Procedure("22514")], ExpectedOrderProblemCards = 1 };
        yield return new("unsited-lesion-with-lumbosacral-vertebroplasty", () => Lesion("M80.08XA", site: null), Conditional, (CriterionCodes.Region, "unknown")) { Orders = [Orders.Procedure("22511")] };

        // Onset window.
        yield return new("onset-exactly-four-months-before-order", () => Lesion("M80.08XA", onset: "2026-07-24"), Covered);
        yield return new("onset-four-months-and-one-day-before-order", () => Lesion("M80.08XA", onset: "2026-07-23"), NotCovered, (CriterionCodes.OnsetWindow, "not-met"));
        yield return new("onset-a-year-before-order", () => Lesion("M80.08XA", onset: "2025-11-01"), NotCovered, (CriterionCodes.OnsetWindow, "not-met"));
        yield return new("onset-known-only-to-the-boundary-month", () => Lesion("M80.08XA", onset: "2026-07"), Conditional, (CriterionCodes.OnsetWindow, "unknown"));
        // The lesion's own onset dates its pain (Version 2); a recorded onset contradicting it goes to a reviewer.
        yield return new("recorded-pain-onset-contradicting-the-coded-onset", () => Lesion("M80.08XA", onset: "2025-01-01").PainOnsetRecorded("2026-10-01"), Conditional, (CriterionCodes.OnsetWindow, "unknown"));
        yield return new("recorded-pain-onset-for-a-lesion-without-onset", () => Base().Without("Condition/fracture").Condition("M80.08XA", bodySite: Site.Thoracic, id: "fracture").PainOnsetRecorded("2026-10-01"), Covered);
        yield return new("onset-not-recorded", () => Base().Without("Condition/fracture").Condition("M80.08XA", bodySite: Site.Thoracic), Conditional, (CriterionCodes.OnsetWindow, "unknown"));

        // Pain and impairment.
        yield return new("pain-score-missing", () => Base().Without("Observation/pain-first").Without("Observation/pain-latest"), Conditional,
            (CriterionCodes.PainImpairment, "unknown"), (CriterionCodes.FailedOmt, "unknown"), (CriterionCodes.Asymptomatic, "unknown"), (CriterionCodes.Responding, "unknown"));
        yield return new("minimal-disability-on-oswestry", () => Base().Without("Observation/odi").Odi(15, "2026-11-15"), Conditional, (CriterionCodes.PainImpairment, "not-met"));
        yield return new("impairment-documented-without-oswestry", () => Base().Without("Observation/odi").Finding(FindingCodes.FunctionalImpairment, true), Covered);
        yield return new("impairment-not-documented", () => Base().Without("Observation/odi"), Conditional, (CriterionCodes.PainImpairment, "unknown"));
        yield return new("pain-gone-to-zero", () => Base().PainScore(0, "2026-11-20"), NotCovered,
            (CriterionCodes.PainImpairment, "not-met"), (CriterionCodes.FailedOmt, "not-met"), (CriterionCodes.Asymptomatic, "present"), (CriterionCodes.Responding, "present"));

        // Optimal medical therapy.
        yield return new("no-therapy-documented", () => Base().Without("MedicationStatement/ibuprofen").Without("Procedure/pt"), Conditional, (CriterionCodes.FailedOmt, "unknown"));
        yield return new("therapy-with-pain-down-to-three", () => Base().Without("Observation/pain-latest").PainScore(3, "2026-11-15"), NotCovered,
            (CriterionCodes.FailedOmt, "not-met"), (CriterionCodes.Responding, "present"));
        yield return new("therapy-with-pain-persisting-at-five", () => Base().Without("Observation/pain-latest").PainScore(5, "2026-11-15"), Covered);
        yield return new("parenteral-opioid-needed", () => Base().Without("MedicationStatement/ibuprofen").Without("Procedure/pt").Analgesic("7052", "2026-10-04", asRequest: true, parenteral: true), Covered);
        yield return new("analgesics-contraindicated", () => Base().Without("MedicationStatement/ibuprofen").Without("Procedure/pt").Finding(FindingCodes.AnalgesicContraindication, true), Covered);
        yield return new("pain-scored-only-before-therapy", () => Base().Without("Observation/pain-first").Without("Observation/pain-latest").PainScore(8, "2026-10-02"), Conditional, (CriterionCodes.FailedOmt, "unknown"));
        yield return new("opioid-prescription-with-persisting-pain", () => Base().Without("MedicationStatement/ibuprofen").Without("Procedure/pt").Analgesic("7804", "2026-10-04", asRequest: true), Covered);

        // Imaging.
        yield return new("x-ray-only", () => Base().Without("ImagingStudy/mri").Imaging("DX", "2026-10-02", Site.Thoracic), Conditional,
            (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown"));
        yield return new("bone-scan-only", () => Base().Without("ImagingStudy/mri").Imaging("NM", "2026-10-02"), Conditional,
            (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown"));
        yield return new("ct-instead-of-mri", () => Base().Without("ImagingStudy/mri").Imaging("CT", "2026-10-05", Site.Spine), Covered);
        yield return new("mri-before-pain-onset", () => Base().Without("ImagingStudy/mri").Imaging("MR", "2026-09-20"), Conditional,
            (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown"));
        yield return new("mri-cancelled", () => Base().Without("ImagingStudy/mri").Imaging("MR", "2026-10-05", status: ImagingStudy.ImagingStudyStatus.Cancelled), Conditional,
            (CriterionCodes.ImagingRuledOut, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown"));
        yield return new("spinal-stenosis-not-yet-excluded", () => Base().Condition("M48.061"), Conditional, (CriterionCodes.ImagingRuledOut, "unknown"));
        yield return new("spinal-stenosis-excluded-by-mri", () => Base().Condition("M48.061").Finding(FindingCodes.CompetingPainGeneratorExcluded, true), Covered);
        yield return new("disc-herniation-not-excluded", () => Base().Condition("M51.26").Finding(FindingCodes.CompetingPainGeneratorExcluded, false), Conditional, (CriterionCodes.ImagingRuledOut, "not-met"));
        yield return new("facet-arthropathy-coded", () => Base().Condition("M47.814"), Conditional, (CriterionCodes.ImagingRuledOut, "unknown"));

        // Exclusions.
        yield return new("spinal-cord-compression", () => Base().Condition("G95.20"), NotCovered, (CriterionCodes.CordCompression, "present"));
        yield return new("thoracic-myelopathy", () => Base().Condition("M47.14"), NotCovered, (CriterionCodes.CordCompression, "present"));
        yield return new("vertebra-below-one-third-of-height", () => Base().HeightLoss(75, "2026-10-05"), NotCovered, (CriterionCodes.SevereCollapse, "present"));
        yield return new("moderate-height-loss", () => Base().HeightLoss(40, "2026-10-05"), Covered);
        yield return new("fracture-coded-only-as-sequela", () => Lesion("M80.08XS"), NotCovered,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.Healed, "present"));
        // An undated thoracic sequela beside the new thoracic fracture may be another vertebra: which one is treated must be said.
        yield return new("thoracic-sequela-beside-a-new-thoracic-fracture", () => Base().Condition("M48.54XS", id: "old"), Conditional,
            (CriterionCodes.TreatedLevel, "unknown"), (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"), (CriterionCodes.Healed, "unknown"));
        yield return new("thoracic-sequela-beside-a-new-fracture-named-on-the-order", () => Base().Condition("M48.54XS", bodySite: Site.Thoracic, id: "old"), Covered)
        {
            Orders = [Orders.Procedure("22513").For("fracture")],
        };
        yield return new("history-of-healed-fracture-with-new-fracture", () => Base().Condition("Z87.310"), Covered);
        yield return new("asymptomatic-attested", () => Base().Finding(FindingCodes.AsymptomaticFracture, true), NotCovered, (CriterionCodes.Asymptomatic, "present"));
        yield return new("responding-pain-eight-to-two", () => Base().Without("Observation/pain-latest").PainScore(2, "2026-11-15"), NotCovered,
            (CriterionCodes.FailedOmt, "not-met"), (CriterionCodes.Responding, "present"));
        yield return new("strict-attestation-without-attestations", Base, Conditional,
            (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"), (CriterionCodes.Healed, "unknown"),
            (CriterionCodes.SacrumCoccyx, "unknown"), (CriterionCodes.Asymptomatic, "unknown"), (CriterionCodes.Responding, "unknown")) { Policy = Strict };
        yield return new("strict-attestation-with-every-exclusion-attested-absent", () => Base()
            .Finding(FindingCodes.SpinalCordCompression, false).Finding(FindingCodes.SevereVertebralCollapse, false).Finding(FindingCodes.HealedFracture, false)
            .Finding(FindingCodes.SacrococcygealLesionOnly, false).Finding(FindingCodes.AsymptomaticFracture, false).Finding(FindingCodes.RespondingToConservativeTherapy, false), Covered) { Policy = Strict };
        // Problems coded in SNOMED CT weigh like their ICD-10-CM counterparts.
        yield return new("snomed-coded-cervical-myelopathy", () => Base().Condition("65260001", system: CodeSystems.Snomed), NotCovered, (CriterionCodes.CordCompression, "present"));
        yield return new("snomed-coded-foraminal-stenosis-not-yet-excluded", () => Base().Condition("371000119109", system: CodeSystems.Snomed), Conditional, (CriterionCodes.ImagingRuledOut, "unknown"));
        yield return new("snomed-coded-osteoporotic-vertebral-fracture", () => Base().Without("Condition/fracture").Condition("11311601000119109", onset: "2026-10-01", bodySite: Site.Thoracic, id: "fracture", system: CodeSystems.Snomed), Covered);
        yield return new("coded-cord-compression-attested-absent", () => Base().Condition("G95.20").Finding(FindingCodes.SpinalCordCompression, false), Conditional, (CriterionCodes.CordCompression, "unknown"));

        // What counts as evidence.
        yield return new("fracture-entered-in-error", () => Lesion("M80.08XA").Without("Condition/fracture").Condition("M80.08XA", onset: "2026-10-01", verificationStatus: "entered-in-error"), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"));
        yield return new("fracture-of-another-patient", () => Base().Without("Condition/fracture").Condition("M80.08XA", onset: "2026-10-01", subject: "someone-else"), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"));
        yield return new("observations-unreadable", () => Base().WithoutAll<Observation>().Gap("Observation"), Conditional,
            (CriterionCodes.PainImpairment, "unknown"), (CriterionCodes.FailedOmt, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.SevereCollapse, "unknown"),
            (CriterionCodes.Healed, "unknown"), (CriterionCodes.SacrumCoccyx, "unknown"), (CriterionCodes.Asymptomatic, "unknown"), (CriterionCodes.Responding, "unknown"));
        yield return new("conditions-unreadable", () => Base().WithoutAll<Condition>().Gap("Condition"), Conditional,
            (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"), (CriterionCodes.CordCompression, "unknown"), (CriterionCodes.Healed, "unknown"), (CriterionCodes.SacrumCoccyx, "unknown"));

        // Orders.
        // An add-on alone is an order error: never approved on the spot.
        yield return new("kyphoplasty-add-on-alone", Base, Conditional, (CriterionCodes.TreatedLevel, "unknown"), (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"))
        {
            Orders = [Orders.Procedure("22515")], ExpectedOrderProblemCards = 1,
        };
        yield return new("vertebroplasty-add-on-alone", Base, Conditional, (CriterionCodes.TreatedLevel, "unknown"), (CriterionCodes.Indication, "unknown"), (CriterionCodes.OnsetWindow, "unknown"),
            (CriterionCodes.Region, "unknown"))
        {
            Orders = [Orders.Procedure("22512")], ExpectedOrderProblemCards = 1,
        };
        yield return new("kyphoplasty-with-its-add-on", Base, Covered) { Orders = [kypho, Orders.Procedure("22515")], ExpectedAssertions = 2 };
        yield return new("out-of-scope-knee-replacement", Base, null) { Orders = [Orders.Procedure("27447")], ExpectedAssertions = 0 };
        yield return new("in-scope-and-out-of-scope-orders-together", Base, Covered) { Orders = [Orders.Procedure("27447"), kypho] };
        yield return new("appointment-with-kyphoplasty-service-type", () => Lesion("M80.08XA", Site.Lumbar).Imaging("MR", "2026-10-05", Site.Lumbar), Covered) { Orders = [Orders.Appointment("22514")], Hook = CrdHooks.AppointmentBook, OrderReference = "Appointment/appt-1" };
        yield return new("appointment-based-on-kyphoplasty-order", Base, Covered) { Orders = [kypho, Orders.Appointment(basedOn: "ServiceRequest/sr-22513")], Hook = CrdHooks.AppointmentBook, ExpectedAssertions = 2, OrderReference = "Appointment/appt-1" };
        yield return new("appointment-for-something-else", Base, null) { Orders = [Orders.Appointment()], Hook = CrdHooks.AppointmentBook, ExpectedAssertions = 0 };
        yield return new("order-select-with-missing-documentation", () => Base().Without("Observation/odi"), Conditional, (CriterionCodes.PainImpairment, "unknown")) { Hook = CrdHooks.OrderSelect };
        yield return new("order-dispatch-covered", Base, Covered) { Hook = CrdHooks.OrderDispatch };

        // Coverage.
        yield return new("no-coverage-on-file", () => Base().WithoutAll<FhirCoverage>(), null) { ExpectedAssertions = 0 };
        yield return new("only-inactive-coverage", () => Base().WithoutAll<FhirCoverage>().WithCoverage("cov-old", FinancialResourceStatusCodes.Cancelled), NotCovered);
        yield return new("two-active-coverages", () => Base().WithCoverage("cov-2"), Covered) { ExpectedAssertions = 2 };
    }

    private static Policy.CoveragePolicy Strict() => TestPolicy.With(s => s.StrictAttestation = true);

    private sealed record Scenario(string Name, Func<Chart> Chart, string? ExpectedCovered, params (string Criterion, string Status)[] Changes)
    {
        public Resource[] Orders { get; init; } = [Support.Orders.Procedure("22513")];
        public string Hook { get; init; } = CrdHooks.OrderSign;
        public int ExpectedAssertions { get; init; } = 1;
        public int ExpectedOrderProblemCards { get; init; }
        public Func<Policy.CoveragePolicy>? Policy { get; init; }
        public string? OrderReferenceOverride { get; init; }

        public string OrderReference
        {
            get => OrderReferenceOverride ?? Orders.OfType<ServiceRequest>().Select(o => "ServiceRequest/" + o.Id).First(r => !r.EndsWith("27447", StringComparison.Ordinal));
            init => OrderReferenceOverride = value;
        }

        public IReadOnlyDictionary<string, string> StatusChanges => Changes.ToDictionary(c => c.Criterion, c => c.Status);
    }
}
