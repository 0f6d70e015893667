using System.Text.Json;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Policy;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>One service we publish in discovery: its hook, id and prefetch templates.</summary>
public sealed record CdsServiceDefinition(string Id, string Hook, string Title, string Description)
{
    public bool IsPrimary => CrdHooks.IsPrimary(Hook);
}

/// <summary>
/// The CRD services this payer answers for vertebral augmentation, and the prefetch each asks for. Built once;
/// the discovery document is serialized once at start-up.
/// </summary>
public sealed class CdsServiceCatalog
{
    private const string ValueSetBase = "http://vacdshooks.example.org/fhir/ValueSet/";

    /// <summary>
    /// The ValueSets the policy reads Observations by (pain scores, pain onset, disability, height loss, function).
    /// An unfiltered Observation search returns every vital sign and lab of the chart (megabytes); CRD says clinical
    /// data only some services need SHALL be queried, not prefetched universally.
    /// </summary>
    public static IReadOnlyList<string> ObservationValueSets { get; } =
    [
        "pain-severity-score", "pain-onset-observation", "disability-score-odi", "vertebral-height-loss",
        "functional-impairment-finding", "activities-of-daily-living",
    ];

    /// <summary>The ValueSets the policy reads Conditions by: indications, exclusions, competing pain generators, history.</summary>
    public static IReadOnlyList<string> ConditionValueSets { get; } =
    [
        "osteoporosis", "osteoporotic-vertebral-fracture", "current-vertebral-fracture", "healed-vertebral-fracture",
        "traumatic-vertebral-fracture", "high-energy-vertebral-fracture", "sacrococcygeal-fracture", "collapsed-vertebra",
        "vertebral-lesions", "vertebral-metastasis", "multiple-myeloma", "vertebral-hemangioma", "vertebral-osteonecrosis",
        "spinal-cord-compression", "competing-pain-generators", "non-covered-vertebral-indications", "glucocorticoid-exposure",
        "nsaid-contraindication", "opioid-intolerance", "functional-impairment-finding", "activities-of-daily-living",
        "documentation-indications", "vertebral-augmentation-history",
    ];

    /// <summary>
    /// Prefetch templates, key to query. Observations and Conditions are asked for by the policy's ValueSets
    /// (<c>code:in</c>, several canonicals OR-ed); MedicationRequest is read as well because failed optimal medical
    /// therapy is often documented as prescriptions only, with the Medication resources they reference (kept as
    /// <c>_include</c>s); imaging reports, intolerances and inpatient encounters because the policy's imaging and
    /// optimal-medical-therapy rules read them.
    /// </summary>
    public static IReadOnlyDictionary<string, PrefetchTemplate> Templates { get; } = new[]
    {
        new PrefetchTemplate("patient", "Patient", "Patient/{{context.patientId}}"),
        new PrefetchTemplate("coverage", "Coverage", "Coverage?patient={{context.patientId}}&status=active"),
        new PrefetchTemplate("conditions", "Condition", "Condition?patient={{context.patientId}}&code:in=" + Canonicals(ConditionValueSets)),
        new PrefetchTemplate("observations", "Observation", "Observation?patient={{context.patientId}}&code:in=" + Canonicals(ObservationValueSets)),
        new PrefetchTemplate("medicationStatements", "MedicationStatement", "MedicationStatement?patient={{context.patientId}}&_include=MedicationStatement:medication"),
        new PrefetchTemplate("medicationRequests", "MedicationRequest", "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication"),
        new PrefetchTemplate("imagingStudies", "ImagingStudy", "ImagingStudy?patient={{context.patientId}}"),
        new PrefetchTemplate("procedures", "Procedure", "Procedure?patient={{context.patientId}}"),

        // CT/MRI reports: their coded conclusions are what rules exclusions in or out.
        new PrefetchTemplate("diagnosticReports", "DiagnosticReport", "DiagnosticReport?patient={{context.patientId}}&category=http://loinc.org|LP29684-5,http://terminology.hl7.org/CodeSystem/v2-0074|RAD"),

        // Analgesic intolerance and admissions for the pain: the other ways optimal medical therapy fails.
        new PrefetchTemplate("allergyIntolerances", "AllergyIntolerance", "AllergyIntolerance?patient={{context.patientId}}"),
        new PrefetchTemplate("encounters", "Encounter", "Encounter?patient={{context.patientId}}&class=IMP,ACUTE,NONAC,OBSENC,EMER"),
    }.ToDictionary(t => t.Key, StringComparer.Ordinal);

    private static readonly CdsServiceDefinition[] Definitions =
    [
        new("vertebral-augmentation-order-sign", CrdHooks.OrderSign,
            "Vertebroplasty/kyphoplasty coverage at order signing",
            "Checks a vertebroplasty or kyphoplasty order (CPT 22510-22515) against the payer's coverage policy when it is signed, and says whether it is covered, not covered, or what documentation is missing."),
        new("vertebral-augmentation-order-dispatch", CrdHooks.OrderDispatch,
            "Vertebroplasty/kyphoplasty coverage at order dispatch",
            "Checks a dispatched vertebroplasty or kyphoplasty order (CPT 22510-22515) against the payer's coverage policy."),
        new("vertebral-augmentation-appointment-book", CrdHooks.AppointmentBook,
            "Vertebroplasty/kyphoplasty coverage at appointment booking",
            "Checks an appointment for vertebroplasty or kyphoplasty (CPT 22510-22515) against the payer's coverage policy."),
        new("vertebral-augmentation-order-select", CrdHooks.OrderSelect,
            "Vertebroplasty/kyphoplasty coverage preview at order selection",
            "Early information on whether a selected vertebroplasty or kyphoplasty order (CPT 22510-22515) is likely covered; asks for no documentation."),
    ];

    /// <summary>CRD card types we can return, each switchable by the EHR through a boolean configuration option.</summary>
    public static IReadOnlyList<(string Code, string Name, string Description)> CardTypeOptions { get; } =
    [
        ("coverage-info", "Coverage information", "Return coverage-information system actions on the orders (CRD coverage information)."),
        ("guideline", "Coverage policy cards", "Cards that explain the coverage determination criterion by criterion."),
        ("clinical-reminder", "Order problem and instruction cards", "Warnings about order problems (add-on code without its primary, region mismatch) and instructions."),
        ("insurance", "Insurance cards", "Cards saying coverage could not be identified for the patient."),
    ];

    private readonly Dictionary<string, CdsServiceDefinition> _byId;

    public CdsServiceCatalog(IOptions<PolicySettings> settings)
    {
        _byId = Definitions.ToDictionary(d => d.Id, StringComparer.Ordinal);
        CrdVersion = settings.Value.CrdVersion;
        DiscoveryJson = JsonSerializer.SerializeToUtf8Bytes(BuildDiscovery(CrdVersion), CdsHooksJson.Options);
    }

    /// <summary>The CRD version our answers follow, declared in discovery: the one <c>CoveragePolicy:CrdVersion</c> sets.</summary>
    public string CrdVersion { get; }

    private static string Canonicals(IEnumerable<string> ids) => string.Join(',', ids.Select(id => ValueSetBase + id));

    public IReadOnlyCollection<CdsServiceDefinition> Services => Definitions;

    /// <summary>The discovery document, serialized once.</summary>
    public byte[] DiscoveryJson { get; }

    public CdsServiceDefinition? Find(string id) => _byId.GetValueOrDefault(id);

    private static CrdDiscoveryResponse BuildDiscovery(string crdVersion)
    {
        var prefetch = Templates.Values.ToDictionary(t => t.Key, t => t.Query);
        var configurationOptions = CardTypeOptions.Select(o => new Dictionary<string, object>
        {
            ["code"] = o.Code,
            ["type"] = "boolean",
            ["name"] = o.Name,
            ["description"] = o.Description,
            ["default"] = true,
        }).ToList();

        var extension = new Dictionary<string, JsonElement>
        {
            ["davinci-crd.version"] = JsonSerializer.SerializeToElement(crdVersion),
            ["davinci-crd.configuration-options"] = JsonSerializer.SerializeToElement(configurationOptions),
        };

        return new CrdDiscoveryResponse
        {
            Services = Definitions.Select(d => new CrdService
            {
                Id = d.Id,
                Hook = d.Hook,
                Title = d.Title,
                Description = d.Description,
                Prefetch = new Dictionary<string, string>(prefetch),
                UsageRequirements = "Register the EHR's issuer, JWKS and FHIR server base URLs with the payer. Sign every call with ES384 or RS384. Prefetch is optional: what it lacks is read from fhirServer with fhirAuthorization.",
                Extension = extension,
            }).ToList(),
        };
    }
}

/// <summary>A prefetch template: the key, the resource type it yields, and the query with tokens.</summary>
public sealed record PrefetchTemplate(string Key, string ResourceType, string Query)
{
    /// <summary>The query with <c>{{context.patientId}}</c> replaced (the id is already validated as a FHIR id).</summary>
    public string Resolve(string patientId) => Query.Replace("{{context.patientId}}", Uri.EscapeDataString(patientId), StringComparison.Ordinal);

    /// <summary>True when the template reads a single resource rather than searching.</summary>
    public bool IsRead => !Query.Contains('?', StringComparison.Ordinal);
}
