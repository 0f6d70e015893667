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
    public const string Rib = "113197003";

    /// <summary>The SNOMED CT region of a level written like "T12", "L1", "C7", "S1".</summary>
    public static string? RegionOf(string level) => level.Length == 0 ? null : char.ToUpperInvariant(level[0]) switch
    {
        'C' => Cervical,
        'T' => Thoracic,
        'L' => Lumbar,
        'S' => Sacrum,
        _ => null,
    };
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
            Payor = [new ResourceReference("Organization/vacdshooks-payer")],
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

    // ----- Version 2: what real EHR charts carry -----

    /// <summary>Changes one resource already in the chart (by logical id).</summary>
    public Chart Edit<T>(string id, Action<T> change)
        where T : Resource
    {
        var resource = _resources.OfType<T>().SingleOrDefault(r => r.Id == id)
            ?? throw new InvalidOperationException("No " + typeof(T).Name + "/" + id + " in the chart.");
        change(resource);
        return this;
    }

    /// <summary>
    /// A vertebral lesion at a level written the way EHRs write it (<c>bodySite.text</c> "T12", "L1"), with the
    /// SNOMED CT region coding beside the text unless <paramref name="siteCode"/> says otherwise ("" for text only).
    /// </summary>
    public Chart LesionAt(
        string code,
        string level,
        string? onset = "2026-10-01",
        string? id = null,
        string system = CodeSystems.Icd10Cm,
        string? siteCode = null,
        string clinicalStatus = "active",
        string? verificationStatus = null)
    {
        Condition(code, onset, bodySite: null, id: id, clinicalStatus: clinicalStatus, verificationStatus: verificationStatus, system: system);
        var condition = (Condition)_resources[^1];
        condition.BodySite.Add(LevelSite(level, siteCode));
        return this;
    }

    /// <summary>Replaces the onset of a Condition with any onset[x] (Period, Age, string, dateTime).</summary>
    public Chart Onset(string conditionId, DataType? onset) => Edit<Condition>(conditionId, c => c.Onset = onset);

    public Chart OnsetPeriod(string conditionId, string start, string end) => Onset(conditionId, new Period { Start = start, End = end });

    public Chart OnsetAge(string conditionId, decimal years) =>
        Onset(conditionId, new Age { Value = years, Unit = "a", System = "http://unitsofmeasure.org", Code = "a" });

    public Chart OnsetString(string conditionId, string text) => Onset(conditionId, new FhirString(text));

    /// <summary>A problem written only as narrative: Condition.code.text, no coding.</summary>
    public Chart NarrativeCondition(string text, string? id = null, string? onset = null)
    {
        var condition = new Condition
        {
            Id = id ?? NextId("cond"),
            Subject = new ResourceReference("Patient/" + PatientId),
            Code = new CodeableConcept { Text = text },
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            Onset = onset is null ? null : new FhirDateTime(onset),
        };
        return Add(condition);
    }

    /// <summary>A pain score under any LOINC code (72514-3, 38208-5) and status.</summary>
    public Chart PainScoreAs(string loinc, decimal score, string date, string? id = null, ObservationStatus status = ObservationStatus.Final) =>
        Measurement(CodeSystems.Loinc, loinc, new Quantity(score, "{score}"), date, id ?? NextId("pain"), status);

    /// <summary>A 100 mm visual analogue scale (unit mm).</summary>
    public Chart PainVas(decimal millimetres, string date, string? id = null) =>
        Measurement(CodeSystems.Loinc, "38208-5", new Quantity(millimetres, "mm"), date, id ?? NextId("vas"));

    /// <summary>A coded pain severity (e.g. SNOMED CT 24484000 severe) and no number.</summary>
    public Chart PainSeverity(string snomedSeverity, string date, string? id = null) =>
        Add(new Observation
        {
            Id = id ?? NextId("painsev"),
            Status = ObservationStatus.Final,
            Subject = new ResourceReference("Patient/" + PatientId),
            Code = new CodeableConcept(CodeSystems.Loinc, "72514-3"),
            Effective = new FhirDateTime(date),
            Value = new CodeableConcept(CodeSystems.Snomed, snomedSeverity),
        });

    /// <summary>Vertebral height loss measured at a level (bodySite text) and/or about a lesion (focus).</summary>
    public Chart HeightLossAt(decimal percent, string date, string? level = null, string? focusConditionId = null, string? id = null)
    {
        Measurement(CodeSystems.Finding, FindingCodes.VertebralHeightLoss, new Quantity(percent, "%"), date, id ?? NextId("height"));
        var observation = (Observation)_resources[^1];
        if (level is not null)
        {
            observation.BodySite = LevelSite(level, null);
        }

        if (focusConditionId is not null)
        {
            observation.Focus.Add(new ResourceReference("Condition/" + focusConditionId));
        }

        return this;
    }

    /// <summary>LOINC 11368-8 (illness or injury onset date), optionally about one lesion.</summary>
    public Chart OnsetObservation(string onset, string date = "2026-11-20", string? focusConditionId = null, string? id = null)
    {
        var observation = new Observation
        {
            Id = id ?? NextId("onset"),
            Status = ObservationStatus.Final,
            Subject = new ResourceReference("Patient/" + PatientId),
            Code = new CodeableConcept(CodeSystems.Loinc, "11368-8"),
            Effective = new FhirDateTime(date),
            Value = new FhirDateTime(onset),
        };
        if (focusConditionId is not null)
        {
            observation.Focus.Add(new ResourceReference("Condition/" + focusConditionId));
        }

        return Add(observation);
    }

    /// <summary>
    /// An imaging report. <paramref name="code"/> is the study's procedure code (CPT by default, e.g. 72146 MRI
    /// thoracic); <paramref name="conclusionCodes"/> are (system, code) pairs.
    /// </summary>
    public Chart Report(
        string code,
        string effective,
        DiagnosticReport.DiagnosticReportStatus status = DiagnosticReport.DiagnosticReportStatus.Final,
        IEnumerable<(string System, string Code)>? conclusionCodes = null,
        string? conclusion = null,
        string? imagingStudyId = null,
        string? id = null,
        string codeSystem = CodeSystems.Cpt)
    {
        var report = new DiagnosticReport
        {
            Id = id ?? NextId("report"),
            Status = status,
            Subject = new ResourceReference("Patient/" + PatientId),
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD")],
            Code = new CodeableConcept(codeSystem, code),
            Effective = new FhirDateTime(effective),
            Issued = DateTimeOffset.Parse(effective, CultureInfo.InvariantCulture),
            Conclusion = conclusion,
        };
        foreach (var (system, value) in conclusionCodes ?? [])
        {
            report.ConclusionCode.Add(new CodeableConcept(system, value));
        }

        if (imagingStudyId is not null)
        {
            report.ImagingStudy.Add(new ResourceReference("ImagingStudy/" + imagingStudyId));
        }

        return Add(report);
    }

    /// <summary>An ImagingStudy identified by its procedure code (CPT 72131 CT lumbar, 72146 MRI thoracic, ...).</summary>
    public Chart ImagingProcedure(
        string cpt,
        string modality,
        string started,
        string? seriesBodySite = null,
        ImagingStudy.ImagingStudyStatus status = ImagingStudy.ImagingStudyStatus.Available,
        string? id = null)
    {
        Imaging(modality, started, seriesBodySite, id, status);
        var study = (ImagingStudy)_resources[^1];
        study.ProcedureCode.Add(new CodeableConcept(CodeSystems.Cpt, cpt));
        return this;
    }

    /// <summary>A MedicationStatement with any status, an effective period and optionally a dose (mg) and frequency.</summary>
    public Chart MedicationTaken(
        string rxnorm,
        string start,
        string? end = null,
        MedicationStatement.MedicationStatusCodes status = MedicationStatement.MedicationStatusCodes.Active,
        string? id = null,
        decimal? doseMg = null,
        int? timesPerDay = null,
        string? route = null)
    {
        var statement = new MedicationStatement
        {
            Id = id ?? NextId("medstmt"),
            Status = status,
            Subject = new ResourceReference("Patient/" + PatientId),
            Medication = new CodeableConcept(CodeSystems.RxNorm, rxnorm),
            Effective = new Period { Start = start, End = end },
            Dosage = [Dose(doseMg, timesPerDay, route)],
        };
        return Add(statement);
    }

    /// <summary>
    /// A MedicationStatement naming its drug through medicationReference: a contained Medication, or a Medication
    /// resource in the chart (added here with id <c>med-{rxnorm}</c>).
    /// </summary>
    public Chart MedicationTakenByReference(string rxnorm, string start, bool contained, string? id = null)
    {
        var medication = new Medication
        {
            Id = contained ? "med" : "med-" + rxnorm,
            Code = new CodeableConcept(CodeSystems.RxNorm, rxnorm),
        };
        var statement = new MedicationStatement
        {
            Id = id ?? NextId("medstmt"),
            Status = MedicationStatement.MedicationStatusCodes.Active,
            Subject = new ResourceReference("Patient/" + PatientId),
            Medication = new ResourceReference(contained ? "#med" : "Medication/" + medication.Id),
            Effective = new Period { Start = start },
            Dosage = [Dose(null, null, null)],
        };
        if (contained)
        {
            statement.Contained.Add(medication);
        }
        else
        {
            Add(medication);
        }

        return Add(statement);
    }

    /// <summary>A MedicationRequest with any intent and status.</summary>
    public Chart MedicationOrder(
        string rxnorm,
        string authoredOn,
        MedicationRequest.MedicationRequestIntent intent = MedicationRequest.MedicationRequestIntent.Order,
        MedicationRequest.MedicationrequestStatus status = MedicationRequest.MedicationrequestStatus.Active,
        string? route = null,
        string? id = null)
    {
        var request = new MedicationRequest
        {
            Id = id ?? NextId("medreq"),
            Status = status,
            Intent = intent,
            Subject = new ResourceReference("Patient/" + PatientId),
            Medication = new CodeableConcept(CodeSystems.RxNorm, rxnorm),
            AuthoredOn = authoredOn,
            DosageInstruction = [Dose(null, null, route)],
        };
        return Add(request);
    }

    /// <summary>An AllergyIntolerance of type intolerance to a medication class.</summary>
    public Chart Intolerance(string text, IEnumerable<(string System, string Code)> codes, string recorded = "2026-10-04", string? id = null)
    {
        var code = new CodeableConcept { Text = text };
        foreach (var (system, value) in codes)
        {
            code.Coding.Add(new Coding(system, value));
        }

        return Add(new AllergyIntolerance
        {
            Id = id ?? NextId("allergy"),
            Patient = new ResourceReference("Patient/" + PatientId),
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed"),
            Type = AllergyIntolerance.AllergyIntoleranceType.Intolerance,
            Category = [AllergyIntolerance.AllergyIntoleranceCategory.Medication],
            Code = code,
            RecordedDate = recorded,
        });
    }

    /// <summary>An encounter (inpatient class IMP by default) for a Condition of the chart or a reason code.</summary>
    public Chart Admission(string start, string end, string? reasonConditionId = null, string? reasonIcd10 = null, string classCode = "IMP", string? id = null)
    {
        var encounter = new Encounter
        {
            Id = id ?? NextId("enc"),
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", classCode),
            Subject = new ResourceReference("Patient/" + PatientId),
            Period = new Period { Start = start, End = end },
        };
        if (reasonConditionId is not null)
        {
            encounter.ReasonReference.Add(new ResourceReference("Condition/" + reasonConditionId));
        }

        if (reasonIcd10 is not null)
        {
            encounter.ReasonCode.Add(new CodeableConcept(CodeSystems.Icd10Cm, reasonIcd10));
        }

        return Add(encounter);
    }

    /// <summary>The Patient resource, optionally deceased on a date.</summary>
    public Chart PatientResource(string? deceasedOn = null, string birthDate = "1946-03-02")
    {
        var patient = new Patient
        {
            Id = PatientId,
            BirthDate = birthDate,
            Gender = AdministrativeGender.Female,
        };
        if (deceasedOn is not null)
        {
            patient.Deceased = new FhirDateTime(deceasedOn);
        }

        return Add(patient);
    }

    /// <summary>A completed procedure in the history (e.g. a prior kyphoplasty, CPT 22513) at a level.</summary>
    public Chart PriorAugmentation(string cpt, string performed, string level, string? id = null) => Add(new Procedure
    {
        Id = id ?? NextId("proc"),
        Status = EventStatus.Completed,
        Subject = new ResourceReference("Patient/" + PatientId),
        Code = new CodeableConcept(CodeSystems.Cpt, cpt),
        Performed = new FhirDateTime(performed),
        BodySite = [LevelSite(level, null)],
    });

    /// <summary>A body site with a level in its text and the SNOMED CT region (or <paramref name="siteCode"/>; "" for none).</summary>
    internal static CodeableConcept LevelSite(string level, string? siteCode)
    {
        var site = new CodeableConcept { Text = level };
        var code = siteCode ?? Site.RegionOf(level);
        if (!string.IsNullOrEmpty(code))
        {
            site.Coding.Add(new Coding(CodeSystems.Snomed, code));
        }

        return site;
    }

    private static Dosage Dose(decimal? doseMg, int? timesPerDay, string? route)
    {
        var dosage = new Dosage();
        if (doseMg is not null)
        {
            dosage.DoseAndRate.Add(new Dosage.DoseAndRateComponent { Dose = new Quantity(doseMg.Value, "mg") });
        }

        if (timesPerDay is not null)
        {
            dosage.Timing = new Timing { Repeat = new Timing.RepeatComponent { Frequency = timesPerDay, Period = 1, PeriodUnit = Timing.UnitsOfTime.D } };
        }

        if (route is not null)
        {
            dosage.Route = new CodeableConcept(CodeSystems.Snomed, route);
        }

        return dosage;
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

/// <summary>What real EHRs put on a draft ServiceRequest besides its code.</summary>
internal static class OrderDetails
{
    /// <summary>The treated level in bodySite.text ("T12"), with the SNOMED CT region coding unless told otherwise ("" for text only).</summary>
    public static ServiceRequest AtLevel(this ServiceRequest order, string level, string? siteCode = null)
    {
        order.BodySite.Add(Chart.LevelSite(level, siteCode));
        return order;
    }

    /// <summary>A coded body site only (e.g. SNOMED CT thoracic spine).</summary>
    public static ServiceRequest AtSite(this ServiceRequest order, string snomed)
    {
        order.BodySite.Add(new CodeableConcept(CodeSystems.Snomed, snomed));
        return order;
    }

    /// <summary>The planned procedure date (occurrenceDateTime).</summary>
    public static ServiceRequest PlannedOn(this ServiceRequest order, string date)
    {
        order.Occurrence = new FhirDateTime(date);
        return order;
    }

    /// <summary>A planned window (occurrencePeriod).</summary>
    public static ServiceRequest PlannedDuring(this ServiceRequest order, string start, string end)
    {
        order.Occurrence = new Period { Start = start, End = end };
        return order;
    }

    /// <summary>reasonReference to Conditions of the chart.</summary>
    public static ServiceRequest For(this ServiceRequest order, params string[] conditionIds)
    {
        foreach (var id in conditionIds)
        {
            order.ReasonReference.Add(new ResourceReference("Condition/" + id));
        }

        return order;
    }

    /// <summary>quantity: on an add-on line, the number of additional levels.</summary>
    public static ServiceRequest Levels(this ServiceRequest order, int count)
    {
        order.Quantity = new Quantity { Value = count, Unit = "{levels}", System = "http://unitsofmeasure.org", Code = "{levels}" };
        return order;
    }
}
