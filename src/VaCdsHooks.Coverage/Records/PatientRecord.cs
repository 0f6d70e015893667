using Hl7.Fhir.Model;
using FhirCoverage = Hl7.Fhir.Model.Coverage;

namespace VaCdsHooks.Coverage.Records;

/// <summary>
/// What the EHR could not give us for one prefetch template (timeout, EHR error, OperationOutcome in prefetch).
/// The record is still evaluated; cards say what could not be read.
/// </summary>
/// <param name="Template">The prefetch key, e.g. <c>conditions</c>.</param>
/// <param name="ResourceType">The FHIR resource type the template asks for.</param>
/// <param name="Reason">A sentence for the surgeon, free of PHI.</param>
public sealed record RecordGap(string Template, string ResourceType, string Reason);

/// <summary>
/// One patient's chart as assembled from prefetch and/or the EHR's FHIR server: only resources about the
/// context patient are kept (the rest are listed in <see cref="IgnoredForeignResources"/> for a log line,
/// never used as evidence). Clinical status filtering is the criteria's concern, not the record's.
/// </summary>
public sealed class PatientRecord
{
    private PatientRecord(string patientId) => PatientId = patientId;

    /// <summary>The logical id of the context patient (<c>context.patientId</c>).</summary>
    public string PatientId { get; }

    public Patient? Patient { get; private set; }
    public IReadOnlyList<FhirCoverage> Coverages { get; private set; } = [];
    public IReadOnlyList<Condition> Conditions { get; private set; } = [];
    public IReadOnlyList<Observation> Observations { get; private set; } = [];
    public IReadOnlyList<MedicationStatement> MedicationStatements { get; private set; } = [];
    public IReadOnlyList<MedicationRequest> MedicationRequests { get; private set; } = [];
    public IReadOnlyList<ImagingStudy> ImagingStudies { get; private set; } = [];
    public IReadOnlyList<Procedure> Procedures { get; private set; } = [];
    public IReadOnlyList<DiagnosticReport> DiagnosticReports { get; private set; } = [];
    public IReadOnlyList<AllergyIntolerance> AllergyIntolerances { get; private set; } = [];
    public IReadOnlyList<Encounter> Encounters { get; private set; } = [];

    /// <summary>Medication resources (not about a patient themselves) that statements and requests may reference.</summary>
    public IReadOnlyList<Medication> Medications { get; private set; } = [];

    /// <summary>Every resource kept, for re-assembling the record with more evidence.</summary>
    public IEnumerable<Resource> All =>
        new Resource?[] { Patient }.OfType<Resource>()
            .Concat(Coverages).Concat(Conditions).Concat(Observations).Concat(MedicationStatements).Concat(MedicationRequests)
            .Concat(ImagingStudies).Concat(Procedures).Concat(DiagnosticReports).Concat(AllergyIntolerances).Concat(Encounters).Concat(Medications);

    /// <summary>A Medication by reference (<c>Medication/id</c>, absolute, or <c>#id</c> contained in <paramref name="container"/>).</summary>
    public Medication? ResolveMedication(ResourceReference? reference, DomainResource container)
    {
        var value = reference?.Reference;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.StartsWith('#'))
        {
            return container.Contained.OfType<Medication>().FirstOrDefault(m => m.Id == value[1..]);
        }

        var relative = Relative(value);
        return relative.StartsWith("Medication/", StringComparison.Ordinal)
            ? Medications.FirstOrDefault(m => m.Id == relative["Medication/".Length..])
            : null;
    }

    /// <summary>Templates that could not be read; evidence they would have held is unknown, not absent.</summary>
    public IReadOnlyList<RecordGap> Gaps { get; private set; } = [];

    /// <summary><c>Type/id</c> of resources that were about another patient and were dropped.</summary>
    public IReadOnlyList<string> IgnoredForeignResources { get; private set; } = [];

    /// <summary>True when a template for <paramref name="resourceType"/> could not be read.</summary>
    public bool HasGapFor(string resourceType) => Gaps.Any(g => g.ResourceType == resourceType);

    /// <summary>
    /// Builds the record. Bundles are unwrapped, duplicates (same type and id) kept once, resources about
    /// another patient dropped. Unsupported resource types are ignored.
    /// </summary>
    public static PatientRecord Assemble(string patientId, IEnumerable<Resource?> resources, IEnumerable<RecordGap>? gaps = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        ArgumentNullException.ThrowIfNull(resources);

        var record = new PatientRecord(patientId);
        var seen = new HashSet<(string Type, string Id)>();
        var foreign = new List<string>();
        var coverages = new List<FhirCoverage>();
        var conditions = new List<Condition>();
        var observations = new List<Observation>();
        var statements = new List<MedicationStatement>();
        var requests = new List<MedicationRequest>();
        var imaging = new List<ImagingStudy>();
        var procedures = new List<Procedure>();
        var reports = new List<DiagnosticReport>();
        var allergies = new List<AllergyIntolerance>();
        var encounters = new List<Encounter>();
        var medications = new List<Medication>();

        foreach (var resource in Flatten(resources))
        {
            if (resource.Id is { Length: > 0 } id && !seen.Add((resource.TypeName, id)))
            {
                continue;
            }

            if (resource is Medication medication)
            {
                medications.Add(medication);
                continue;
            }

            if (!IsAboutPatient(resource, patientId))
            {
                foreign.Add(resource.TypeName + "/" + (resource.Id ?? "(no id)"));
                continue;
            }

            switch (resource)
            {
                case Patient p: record.Patient ??= p; break;
                case FhirCoverage c: coverages.Add(c); break;
                case Condition c: conditions.Add(c); break;
                case Observation o: observations.Add(o); break;
                case MedicationStatement m: statements.Add(m); break;
                case MedicationRequest m: requests.Add(m); break;
                case ImagingStudy i: imaging.Add(i); break;
                case Procedure p: procedures.Add(p); break;
                case DiagnosticReport d: reports.Add(d); break;
                case AllergyIntolerance a: allergies.Add(a); break;
                case Encounter e: encounters.Add(e); break;
            }
        }

        record.Coverages = coverages;
        record.Conditions = conditions;
        record.Observations = observations;
        record.MedicationStatements = statements;
        record.MedicationRequests = requests;
        record.ImagingStudies = imaging;
        record.Procedures = procedures;
        record.DiagnosticReports = reports;
        record.AllergyIntolerances = allergies;
        record.Encounters = encounters;
        record.Medications = medications;
        record.Gaps = gaps?.ToList() ?? [];
        record.IgnoredForeignResources = foreign;
        return record;
    }

    private static IEnumerable<Resource> Flatten(IEnumerable<Resource?> resources)
    {
        foreach (var resource in resources)
        {
            switch (resource)
            {
                case null:
                    continue;
                case Bundle bundle:
                    foreach (var entry in bundle.Entry)
                    {
                        if (entry.Resource is { } inner and not Bundle and not OperationOutcome)
                        {
                            yield return inner;
                        }
                    }

                    break;
                case OperationOutcome:
                    continue;
                default:
                    yield return resource;
                    break;
            }
        }
    }

    /// <summary><c>Type/id</c> from a relative or absolute reference, without a <c>_history</c> suffix.</summary>
    public static string Relative(string reference)
    {
        var history = reference.IndexOf("/_history/", StringComparison.Ordinal);
        var value = history >= 0 ? reference[..history] : reference;
        var parts = value.Split('/');
        return parts.Length >= 2 ? parts[^2] + "/" + parts[^1] : value;
    }

    /// <summary>Whether the resource's subject/patient/beneficiary names the context patient.</summary>
    public static bool IsAboutPatient(Resource resource, string patientId) => resource switch
    {
        Patient p => p.Id == patientId,
        FhirCoverage c => References(c.Beneficiary, patientId),
        Condition c => References(c.Subject, patientId),
        Observation o => References(o.Subject, patientId),
        MedicationStatement m => References(m.Subject, patientId),
        MedicationRequest m => References(m.Subject, patientId),
        ImagingStudy i => References(i.Subject, patientId),
        Procedure p => References(p.Subject, patientId),
        DiagnosticReport d => References(d.Subject, patientId),
        AllergyIntolerance a => References(a.Patient, patientId),
        Encounter e => References(e.Subject, patientId),
        _ => false,
    };

    /// <summary>
    /// True for <c>Patient/{id}</c>, an absolute URL ending in <c>/Patient/{id}</c> (optionally with a
    /// <c>_history</c> suffix). A reference without a patient reference is not about this patient.
    /// </summary>
    public static bool References(ResourceReference? reference, string patientId)
    {
        var value = reference?.Reference;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var historyAt = value.IndexOf("/_history/", StringComparison.Ordinal);
        var span = historyAt >= 0 ? value.AsSpan(0, historyAt) : value.AsSpan();
        const string prefix = "Patient/";
        if (span.Length == prefix.Length + patientId.Length && span.StartsWith(prefix, StringComparison.Ordinal))
        {
            return span[prefix.Length..].SequenceEqual(patientId);
        }

        return span.EndsWith("/" + prefix + patientId, StringComparison.Ordinal);
    }
}
