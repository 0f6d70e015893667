namespace VaCdsHooks.Coverage.Terminology;

/// <summary>Code system URLs the policy artifacts and the EHR's resources use.</summary>
public static class CodeSystems
{
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    public const string Cpt = "http://www.ama-assn.org/go/cpt";

    /// <summary>Our criteria ids and determination reasons.</summary>
    public const string Criterion = "http://vacdshooks.example.org/fhir/CodeSystem/vertebral-augmentation-criterion";

    /// <summary>Our documented findings and attestations (Observation codes).</summary>
    public const string Finding = "http://vacdshooks.example.org/fhir/CodeSystem/vertebral-augmentation-finding";

    /// <summary>A short name for a system, for sentences a surgeon reads.</summary>
    public static string ShortName(string? system) => system switch
    {
        Icd10Cm => "ICD-10-CM",
        Snomed => "SNOMED CT",
        Loinc => "LOINC",
        RxNorm => "RxNorm",
        Dicom => "DICOM",
        Cpt => "CPT",
        Finding => "documented finding",
        Criterion => "criterion",
        null or "" => "(no system)",
        _ => system,
    };

    /// <summary>
    /// ICD-10-CM codes are dotted in FHIR (<c>M80.08XA</c>); some EHRs send them without the dot or in lower case.
    /// Other systems are compared exactly (case matters in SNOMED CT descriptions, not in codes, but codes are digits).
    /// </summary>
    public static string NormalizeCode(string system, string code)
    {
        var trimmed = code.Trim();
        if (system != Icd10Cm)
        {
            return trimmed;
        }

        // The usual form (dotted, upper case) needs no new string.
        if (trimmed.Length > 3 && trimmed[3] == '.' && !trimmed.AsSpan().ContainsAnyInRange('a', 'z'))
        {
            return trimmed;
        }

        var upper = trimmed.ToUpperInvariant();
        return upper.Length > 3 && !upper.Contains('.', StringComparison.Ordinal) ? upper[..3] + "." + upper[3..] : upper;
    }
}
