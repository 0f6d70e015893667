using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Policy;

/// <summary>
/// The ValueSets each criterion reads, resolved by canonical URL at load. The code lists live in
/// fhir-resources/ValueSet; this class only names which list a criterion uses.
/// </summary>
public sealed class PolicyValueSets
{
    public const string Base = "http://vacdshooks.example.org/fhir/ValueSet/";

    private readonly IReadOnlyDictionary<string, CodeSet> _all;
    private readonly List<string> _missing = [];

    internal PolicyValueSets(IReadOnlyDictionary<string, CodeSet> all)
    {
        _all = all;
        Procedures = Get("vertebral-augmentation-procedures");
        VertebroplastyPrimary = Get("vertebroplasty-primary-procedures");
        VertebroplastyAddOn = Get("vertebroplasty-add-on-procedures");
        KyphoplastyPrimary = Get("kyphoplasty-primary-procedures");
        KyphoplastyAddOn = Get("kyphoplasty-add-on-procedures");
        ProcedureRegions = new Dictionary<SpinalRegion, CodeSet>
        {
            [SpinalRegion.Cervical] = Get("procedures-region-cervical"),
            [SpinalRegion.Thoracic] = Get("procedures-region-thoracic"),
            [SpinalRegion.Lumbar] = Get("procedures-region-lumbar"),
            [SpinalRegion.SacrumCoccyx] = Get("procedures-region-sacral"),
        };

        OsteoporoticVertebralFracture = Get("osteoporotic-vertebral-fracture");
        CollapsedVertebra = Get("collapsed-vertebra");
        Osteoporosis = Get("osteoporosis");
        GlucocorticoidExposure = Get("glucocorticoid-exposure");
        VertebralMetastasis = Get("vertebral-metastasis");
        MultipleMyeloma = Get("multiple-myeloma");
        VertebralHemangioma = Get("vertebral-hemangioma");
        VertebralOsteonecrosis = Get("vertebral-osteonecrosis");
        TraumaticVertebralFracture = Get("traumatic-vertebral-fracture");
        SacrococcygealFracture = Get("sacrococcygeal-fracture");
        VertebralLesions = Get("vertebral-lesions");
        CurrentVertebralFracture = Get("current-vertebral-fracture");

        LesionSites = new Dictionary<SpinalRegion, CodeSet>
        {
            [SpinalRegion.Cervical] = Get("lesion-site-cervical"),
            [SpinalRegion.Thoracic] = Get("lesion-site-thoracic"),
            [SpinalRegion.Lumbar] = Get("lesion-site-lumbar"),
            [SpinalRegion.SacrumCoccyx] = Get("lesion-site-sacrococcygeal"),
        };
        SpineBodySites = Get("spine-body-sites");

        PainSeverity = Get("pain-severity-score");
        OswestryDisabilityIndex = Get("disability-score-odi");
        FunctionalImpairment = Get("functional-impairment-finding");
        Analgesics = Get("analgesics");
        ParenteralRoutes = Get("parenteral-routes");
        ConservativeTherapyProcedures = Get("conservative-therapy-procedures");

        CrossSectionalImaging = Get("cross-sectional-imaging-modalities");
        ProjectionOrNuclearImaging = Get("projection-or-nuclear-imaging-modalities");
        CompetingPainGenerators = Get("competing-pain-generators");

        SpinalCordCompression = Get("spinal-cord-compression");
        VertebralHeightLoss = Get("vertebral-height-loss");
        HealedVertebralFracture = Get("healed-vertebral-fracture");

        if (_missing.Count > 0)
        {
            throw new PolicyArtifactException("Missing policy ValueSets in fhir-resources/ValueSet: " + string.Join(", ", _missing));
        }
    }

    public CodeSet Procedures { get; }
    public CodeSet VertebroplastyPrimary { get; }
    public CodeSet VertebroplastyAddOn { get; }
    public CodeSet KyphoplastyPrimary { get; }
    public CodeSet KyphoplastyAddOn { get; }
    public IReadOnlyDictionary<SpinalRegion, CodeSet> ProcedureRegions { get; }

    public CodeSet OsteoporoticVertebralFracture { get; }
    public CodeSet CollapsedVertebra { get; }
    public CodeSet Osteoporosis { get; }
    public CodeSet GlucocorticoidExposure { get; }
    public CodeSet VertebralMetastasis { get; }
    public CodeSet MultipleMyeloma { get; }
    public CodeSet VertebralHemangioma { get; }
    public CodeSet VertebralOsteonecrosis { get; }
    public CodeSet TraumaticVertebralFracture { get; }
    public CodeSet SacrococcygealFracture { get; }
    public CodeSet VertebralLesions { get; }
    public CodeSet CurrentVertebralFracture { get; }

    public IReadOnlyDictionary<SpinalRegion, CodeSet> LesionSites { get; }
    public CodeSet SpineBodySites { get; }

    public CodeSet PainSeverity { get; }
    public CodeSet OswestryDisabilityIndex { get; }
    public CodeSet FunctionalImpairment { get; }
    public CodeSet Analgesics { get; }
    public CodeSet ParenteralRoutes { get; }
    public CodeSet ConservativeTherapyProcedures { get; }

    public CodeSet CrossSectionalImaging { get; }
    public CodeSet ProjectionOrNuclearImaging { get; }
    public CodeSet CompetingPainGenerators { get; }

    public CodeSet SpinalCordCompression { get; }
    public CodeSet VertebralHeightLoss { get; }
    public CodeSet HealedVertebralFracture { get; }

    /// <summary>Every loaded ValueSet by canonical URL.</summary>
    public IReadOnlyDictionary<string, CodeSet> All => _all;

    /// <summary>A ValueSet by id (<c>analgesics-opioid</c>); every id the engine reads is checked at load (<see cref="Require"/>).</summary>
    public CodeSet this[string id] =>
        _all.TryGetValue(Base + id, out var set) ? set : throw new PolicyArtifactException($"ValueSet {Base + id} is not loaded; the engine reads it.");

    /// <summary>Fails the load when any of <paramref name="ids"/> is missing, naming every one.</summary>
    internal void Require(IEnumerable<string> ids)
    {
        var missing = ids.Distinct(StringComparer.Ordinal).Where(id => !_all.ContainsKey(Base + id)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new PolicyArtifactException("Missing policy ValueSets in fhir-resources/ValueSet: " + string.Join(", ", missing.Select(m => Base + m)));
        }
    }

    private CodeSet Get(string id)
    {
        if (_all.TryGetValue(Base + id, out var set))
        {
            return set;
        }

        _missing.Add(Base + id);
        return null!;
    }
}
