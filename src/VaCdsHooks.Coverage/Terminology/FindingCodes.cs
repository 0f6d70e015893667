namespace VaCdsHooks.Coverage.Terminology;

/// <summary>
/// Codes of our finding CodeSystem that the engine reads as attestations (Observation.code). Each is verified
/// against fhir-resources/CodeSystem/vertebral-augmentation-finding.json at load.
/// </summary>
public static class FindingCodes
{
    public const string PainOnset = "pain-onset";
    public const string FunctionalImpairment = "functional-impairment";
    public const string HemangiomaAggressiveFeatures = "hemangioma-aggressive-features";
    public const string OsteonecrosisUnstableFracture = "osteonecrosis-unstable-fracture";
    public const string AnalgesicContraindication = "analgesic-contraindication";
    public const string ParenteralOpioidsOrAdmission = "parenteral-opioids-or-admission";
    public const string OptimalMedicalTherapyFailed = "optimal-medical-therapy-failed";
    public const string CompetingPainGeneratorExcluded = "competing-pain-generator-excluded";
    public const string VertebralHeightLoss = "vertebral-height-loss";
    public const string SpinalCordCompression = "spinal-cord-compression";
    public const string SevereVertebralCollapse = "severe-vertebral-collapse";
    public const string HealedFracture = "healed-fracture";
    public const string SacrococcygealLesionOnly = "sacrococcygeal-lesion-only";
    public const string AsymptomaticFracture = "asymptomatic-fracture";
    public const string RespondingToConservativeTherapy = "responding-to-conservative-therapy";
    public const string TreatedLevel = "treated-level";
    public const string MetastasisOsteolyticAtLevel = "metastasis-osteolytic-at-level";
    public const string SteroidInducedFracture = "steroid-induced-fracture";
    public const string OsteoporoticFracture = "osteoporotic-fracture";

    /// <summary>Every finding code the engine reads: derived from what the criteria and evidence readers declare.</summary>
    public static IReadOnlyList<string> All { get; } =
        Criteria.CriteriaEvaluator.All.SelectMany(c => c.FindingsRead).Append(VertebralHeightLoss).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Codes of our criterion CodeSystem: criteria ids and determination reasons.</summary>
public static class CriterionCodes
{
    public const string Indication = "indication";
    public const string Region = "region";
    public const string OnsetWindow = "onset-window";
    public const string PainImpairment = "pain-impairment";
    public const string FailedOmt = "failed-omt";
    public const string ImagingRuledOut = "imaging-ruled-out";
    public const string CordCompression = "cord-compression";
    public const string SevereCollapse = "severe-collapse";
    public const string Healed = "healed";
    public const string SacrumCoccyx = "sacrum-coccyx";
    public const string Asymptomatic = "asymptomatic";
    public const string Responding = "responding";
    public const string TreatedLevel = "treated-level";

    public const string AllCriteriaMet = "all-criteria-met";
    public const string DocumentationNeeded = "documentation-needed";
    public const string DocumentationUnderReview = "documentation-under-review";
    public const string ExclusionPresent = "exclusion-present";
    public const string OnsetOutsideWindow = "onset-outside-window";
    public const string NonCoveredIndication = "non-covered-indication";
    public const string NoActiveCoverage = "no-active-coverage";
    public const string AddOnWithoutPrimary = "add-on-without-primary";
    public const string RegionMismatch = "region-mismatch";
    public const string ReviewRequired = "review-required";

    /// <summary>Determination reasons and order problems (the criteria's own ids come from the criteria).</summary>
    public static IReadOnlyList<string> Reasons { get; } =
    [
        AllCriteriaMet, DocumentationNeeded, DocumentationUnderReview, ExclusionPresent, OnsetOutsideWindow, NonCoveredIndication, NoActiveCoverage,
        AddOnWithoutPrimary, RegionMismatch, ReviewRequired,
    ];

    /// <summary>Every code of the criterion CodeSystem the engine emits: each criterion's id, then the reasons.</summary>
    public static IReadOnlyList<string> All { get; } = Criteria.CriteriaEvaluator.All.Select(c => c.Id).Concat(Reasons).ToList();
}
