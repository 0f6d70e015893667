using System.Globalization;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>A numeric observation (pain score on 0-10, ODI in %, height loss in %) with its date and, when known, its level.</summary>
public sealed record Measurement(Observation Observation, Coding Code, decimal Value, string Unit, ClinicalDate? Date)
{
    /// <summary>The vertebra it was measured at (height loss), from bodySite; null when not said.</summary>
    public VertebralLevel? Level { get; init; }

    /// <summary><c>Type/id</c> of the resources it is about (<c>focus</c>, <c>derivedFrom</c>).</summary>
    public IReadOnlyList<string> About { get; init; } = [];

    // Read by many criteria of one evaluation: built once (the cache is not part of what the record says).
    private EvidenceItem? _evidence;

    public EvidenceItem Evidence() => _evidence ??= EvidenceItem.Of(Observation, Code, Value.ToString("0.##", CultureInfo.InvariantCulture) + Unit, Date?.Text);
}

/// <summary>An answer recorded with one of our finding codes (from the EHR or a completed questionnaire).</summary>
public sealed record Attestation(Observation Observation, Coding Code, bool? Answer, ClinicalDate? DateAnswer, Quantity? Quantity, ClinicalDate? Date, string? Author)
{
    /// <summary>The answer as text (<c>T12</c>) for questions answered in words.</summary>
    public string? TextAnswer { get; init; }

    /// <summary>The coded answer, for choice questions.</summary>
    public Coding? CodedAnswer { get; init; }

    public EvidenceItem Evidence()
    {
        var value = Answer switch
        {
            true => "yes",
            false => "no",
            null when DateAnswer is { } d => d.Text,
            null when Quantity?.Value is { } q => q.ToString("0.##", CultureInfo.InvariantCulture) + (Quantity.Unit ?? Quantity.Code ?? string.Empty),
            null when TextAnswer is { } t => t,
            null when CodedAnswer is { } c => c.Code,
            _ => null,
        };
        return EvidenceItem.Of(Observation, Code, value, Date?.Text, Author);
    }
}

/// <summary>
/// An imaging study or report of the spine: an ImagingStudy (with the reports that read it) or a DiagnosticReport
/// on its own. What the policy asks of it: the modality, whether it was performed, when, which region it
/// covers, and whether the engine can read what it shows (coded conclusions).
/// </summary>
/// <param name="Source">The ImagingStudy, else the DiagnosticReport.</param>
/// <param name="Modality">DICOM modality (or the code that implies it).</param>
/// <param name="CrossSectional">CT or MRI.</param>
/// <param name="Performed">ImagingStudy <c>available</c>, DiagnosticReport final/amended/corrected/appended.</param>
/// <param name="Date">When it was done.</param>
/// <param name="Regions">The spinal regions it covers.</param>
/// <param name="Readable">False when a report of it exists with narrative only (no conclusion codes).</param>
/// <param name="Reports">DiagnosticReports that read it.</param>
public sealed record SpineImaging(
    Resource Source,
    Coding Modality,
    bool CrossSectional,
    bool Performed,
    ClinicalDate? Date,
    IReadOnlySet<SpinalRegion> Regions,
    bool Readable,
    IReadOnlyList<DiagnosticReport> Reports)
{
    public ClinicalDate? Started => Date;

    public string ModalityName => Modality.Code switch
    {
        "CT" => "CT",
        "MR" => "MRI",
        "NM" => "Bone scan",
        _ => "X-ray",
    };

    public string RegionText => _regionText ??= Regions.Count == 4 ? "whole spine" : string.Join("/", Regions.Order().Select(r => r.Describe())) + " spine";

    private string? _regionText;

    // Read by many criteria of one evaluation: built once (the cache is not part of what the record says).
    private EvidenceItem? _evidence;

    public EvidenceItem Evidence() => _evidence ??= EvidenceItem.Of(Source, Modality, Performed ? RegionText : "not performed (" + RegionText + ")", Date?.Text);
}

/// <summary>Classes of first-line therapy the ACR definition of optimal medical therapy names.</summary>
public enum TherapyClass
{
    Nsaid,
    Acetaminophen,
    Opioid,

    /// <summary>Aspirin at an analgesic dose (above the low-dose limit).</summary>
    AspirinAnalgesic,

    /// <summary>Bracing, physical therapy, bed rest: counted alongside analgesics, not instead of them.</summary>
    NonPharmacological,
}

/// <summary>A documented conservative therapy (analgesic or procedure), when it ran, and how it was given.</summary>
public sealed record Therapy(Resource Resource, Coding Code, TherapyClass Class, ClinicalDate? Started, ClinicalDate? Ended, bool Parenteral)
{
    public bool IsAnalgesic => Class != TherapyClass.NonPharmacological;

    // Read by many criteria of one evaluation: built once (the cache is not part of what the record says).
    private EvidenceItem? _evidence;

    public EvidenceItem Evidence() => _evidence ??= EvidenceItem.Of(
        Resource,
        Code,
        (Parenteral ? "parenteral " : string.Empty) + Class switch
        {
            TherapyClass.Nsaid => "NSAID",
            TherapyClass.Acetaminophen => "acetaminophen",
            TherapyClass.Opioid => "opioid",
            TherapyClass.AspirinAnalgesic => "aspirin (analgesic dose)",
            _ => "conservative therapy",
        },
        Started is { } s ? "started " + s.Text + (Ended is { } e ? ", ended " + e.Text : string.Empty) : null);
}

/// <summary>A hospital admission or emergency visit, with what it was for.</summary>
public sealed record Admission(Encounter Encounter, Coding Class, ClinicalDate? Start, IReadOnlyList<string> ReasonReferences, bool ReasonIsVertebral)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Encounter, Class, date: Start?.Text);
}

/// <summary>A vertebral augmentation already performed, at a level when recorded.</summary>
public sealed record PriorAugmentation(Procedure Procedure, Coding Code, VertebralLevel? Level, ClinicalDate? Date)
{
    public EvidenceItem Evidence() => EvidenceItem.Of(Procedure, Code, Level?.Label, Date?.Text);
}
