using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.Coverage.Terminology;
using FhirCoverage = Hl7.Fhir.Model.Coverage;

namespace VaCdsHooks.Coverage.Tests.Support;

/// <summary>Body sites used by the scenarios (SNOMED CT).</summary>
internal static class Site
{
    public const string Spine = "421060004";
    public const string Cervical = "122494005";
    public const string Thoracic = "122495006";
    public const string Lumbar = "122496007";
    public const string Sacrum = "54735007";
    public const string Knee = "72696002";
}

/// <summary>
/// A patient's chart in a few lines. <see cref="CoveredThoracicFracture"/> is a patient who meets every
/// criterion for a thoracic kyphoplasty ordered on 2026-11-24; scenarios change one thing at a time.
/// </summary>
internal sealed class Chart
{
    public const string PatientId = "pat-1";
    public const string OrderDate = "2026-11-24";

    private readonly List<Resource> _resources = [];
    private readonly List<RecordGap> _gaps = [];
    private int _next;

    public static Chart Empty() => new();

    /// <summary>
    /// Osteoporotic T-spine compression fracture (M80.08XA, thoracic body site) with onset 2026-10-01; pain 8/10
    /// then 7/10 despite ibuprofen and physical therapy; ODI 42 %; MRI of the spine after onset; active coverage.
    /// </summary>
    public static Chart CoveredThoracicFracture() => Empty()
        .WithCoverage()
        .Condition("M80.08XA", onset: "2026-10-01", bodySite: Site.Thoracic, id: "fracture")
        .PainScore(8, "2026-10-03", id: "pain-first")
        .Analgesic("5640", started: "2026-10-03", id: "ibuprofen")
        .PhysicalTherapy("2026-10-06", id: "pt")
        .Imaging("MR", "2026-10-05", Site.Thoracic, id: "mri")
        .PainScore(7, "2026-11-15", id: "pain-latest")
        .Odi(42, "2026-11-15", id: "odi");

    public IReadOnlyList<Resource> Resources => _resources;

    public Chart WithCoverage(string id = "cov-1", FinancialResourceStatusCodes status = FinancialResourceStatusCodes.Active)
    {
        _resources.Add(new FhirCoverage
        {
            Id = id,
            Status = status,
            Beneficiary = new ResourceReference("Patient/" + PatientId),
            Payor = [new ResourceReference("Organization/payer")],
        });
        return this;
    }

    public Chart Condition(
        string code,
        string? onset = null,
        string? bodySite = null,
        string? id = null,
        string clinicalStatus = "active",
        string? verificationStatus = null,
        string system = CodeSystems.Icd10Cm,
        string? subject = null)
    {
        var condition = new Condition
        {
            Id = id ?? NextId("cond"),
            Subject = new ResourceReference("Patient/" + (subject ?? PatientId)),
            Code = new CodeableConcept(system, code),
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", clinicalStatus),
            Onset = onset is null ? null : new FhirDateTime(onset),
        };
        if (verificationStatus is not null)
        {
            condition.VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", verificationStatus);
        }

        if (bodySite is not null)
        {
            condition.BodySite.Add(new CodeableConcept(CodeSystems.Snomed, bodySite));
        }

        _resources.Add(condition);
        return this;
    }

    public Chart PainScore(decimal score, string date, string? id = null, ObservationStatus status = ObservationStatus.Final) =>
        Measurement(CodeSystems.Loinc, "72514-3", new Quantity(score, "{score}"), date, id ?? NextId("pain"), status);

    public Chart Odi(decimal percent, string date, string? id = null) =>
        Measurement(CodeSystems.Loinc, "97909-6", new Quantity(percent, "%"), date, id ?? NextId("odi"));

    public Chart HeightLoss(decimal percent, string date, string? id = null) =>
        Measurement(CodeSystems.Finding, FindingCodes.VertebralHeightLoss, new Quantity(percent, "%"), date, id ?? NextId("height"));

    /// <summary>An answer with one of our finding codes (from the EHR or a completed questionnaire).</summary>
    public Chart Finding(string code, bool answer, string date = "2026-11-20", string? author = "Practitioner/surgeon", string? id = null)
    {
        var observation = FindingObservation(code, new FhirBoolean(answer), date, id, author);
        _resources.Add(observation);
        return this;
    }

    public Chart PainOnsetRecorded(string onset, string date = "2026-11-20") =>
        Add(FindingObservation(FindingCodes.PainOnset, new FhirDateTime(onset), date, null, "Practitioner/surgeon"));

    public Chart Analgesic(string rxnorm, string started, string? id = null, bool asRequest = false, bool parenteral = false, string? secondCoding = null)
    {
        var medication = new CodeableConcept(CodeSystems.RxNorm, rxnorm);
        if (secondCoding is not null)
        {
            medication.Coding.Insert(0, new Coding(CodeSystems.RxNorm, secondCoding));
        }

        var dosage = new Dosage();
        if (parenteral)
        {
            dosage.Route = new CodeableConcept(CodeSystems.Snomed, "47625008");
        }

        Resource resource = asRequest
            ? new MedicationRequest
            {
                Id = id ?? NextId("medreq"),
                Status = MedicationRequest.MedicationrequestStatus.Active,
                Intent = MedicationRequest.MedicationRequestIntent.Order,
                Subject = new ResourceReference("Patient/" + PatientId),
                Medication = medication,
                AuthoredOn = started,
                DosageInstruction = [dosage],
            }
            : new MedicationStatement
            {
                Id = id ?? NextId("medstmt"),
                Status = MedicationStatement.MedicationStatusCodes.Active,
                Subject = new ResourceReference("Patient/" + PatientId),
                Medication = medication,
                Effective = new Period { Start = started },
                Dosage = [dosage],
            };
        return Add(resource);
    }

    public Chart PhysicalTherapy(string date, string? id = null) => Add(new Procedure
    {
        Id = id ?? NextId("proc"),
        Status = EventStatus.Completed,
        Subject = new ResourceReference("Patient/" + PatientId),
        Code = new CodeableConcept(CodeSystems.Snomed, "91251008"),
        Performed = new FhirDateTime(date),
    });

    public Chart Imaging(string modality, string started, string? bodySite = Site.Spine, string? id = null, ImagingStudy.ImagingStudyStatus status = ImagingStudy.ImagingStudyStatus.Available)
    {
        var study = new ImagingStudy
        {
            Id = id ?? NextId("img"),
            Status = status,
            Subject = new ResourceReference("Patient/" + PatientId),
            Started = started,
            Modality = [new Coding(CodeSystems.Dicom, modality)],
        };
        var series = new ImagingStudy.SeriesComponent { Uid = "1.2.3." + study.Id, Modality = new Coding(CodeSystems.Dicom, modality) };
        if (bodySite is not null)
        {
            series.BodySite = new Coding(CodeSystems.Snomed, bodySite);
        }

        study.Series.Add(series);
        return Add(study);
    }

    /// <summary>Removes a resource by <c>Type/id</c>.</summary>
    public Chart Without(string reference)
    {
        var removed = _resources.RemoveAll(r => r.TypeName + "/" + r.Id == reference);
        if (removed == 0)
        {
            throw new InvalidOperationException("No resource " + reference + " in the chart.");
        }

        return this;
    }

    public Chart WithoutAll<T>()
        where T : Resource
    {
        _resources.RemoveAll(r => r is T);
        return this;
    }

    /// <summary>The EHR could not give us this resource type.</summary>
    public Chart Gap(string resourceType)
    {
        _gaps.Add(new RecordGap(resourceType.ToLowerInvariant(), resourceType, "The EHR timed out."));
        return this;
    }

    public Chart Add(Resource resource)
    {
        _resources.Add(resource);
        return this;
    }

    public PatientRecord Record() => PatientRecord.Assemble(PatientId, _resources, _gaps);

    private Chart Measurement(string system, string code, Quantity value, string date, string id, ObservationStatus status = ObservationStatus.Final)
    {
        var observation = new Observation
        {
            Id = id,
            Status = status,
            Subject = new ResourceReference("Patient/" + PatientId),
            Code = new CodeableConcept(system, code),
            Effective = new FhirDateTime(date),
            Value = value,
        };
        _resources.Add(observation);
        return this;
    }

    private Observation FindingObservation(string code, DataType value, string date, string? id, string? author)
    {
        var observation = new Observation
        {
            Id = id ?? NextId("finding"),
            Status = ObservationStatus.Final,
            Subject = new ResourceReference("Patient/" + PatientId),
            Code = new CodeableConcept(CodeSystems.Finding, code),
            Effective = new FhirDateTime(date),
            Value = value,
        };
        if (author is not null)
        {
            observation.Performer.Add(new ResourceReference(author));
        }

        return observation;
    }

    private string NextId(string prefix) => prefix + "-" + (++_next).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Draft orders.</summary>
internal static class Orders
{
    public static ServiceRequest Procedure(string cpt, string? authoredOn = Chart.OrderDate, string? id = null) => new()
    {
        Id = id ?? "sr-" + cpt,
        Status = RequestStatus.Draft,
        Intent = RequestIntent.Order,
        Subject = new ResourceReference("Patient/" + Chart.PatientId),
        Code = new CodeableConcept(CodeSystems.Cpt, cpt),
        AuthoredOn = authoredOn,
        Insurance = [new ResourceReference("Coverage/cov-1")],
    };

    public static Appointment Appointment(string? cpt = null, string? basedOn = null, string id = "appt-1")
    {
        var appointment = new Appointment
        {
            Id = id,
            Status = Hl7.Fhir.Model.Appointment.AppointmentStatus.Proposed,
            Participant = [new Hl7.Fhir.Model.Appointment.ParticipantComponent { Actor = new ResourceReference("Patient/" + Chart.PatientId), Status = ParticipationStatus.NeedsAction }],
        };
        if (cpt is not null)
        {
            appointment.ServiceType.Add(new CodeableConcept(CodeSystems.Cpt, cpt));
        }

        if (basedOn is not null)
        {
            appointment.BasedOn.Add(new ResourceReference(basedOn));
        }

        return appointment;
    }
}
