using System.Collections.Frozen;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Policy;

/// <summary>
/// The compiled ValueSets, by id. The code lists live in fhir-resources/ValueSet; each criterion and evidence
/// reader declares the ids it reads, and the policy load fails naming any that is missing (<see cref="Require"/>).
/// </summary>
public sealed class PolicyValueSets
{
    public const string Base = "http://vacdshooks.example.org/fhir/ValueSet/";

    /// <summary>The ValueSets that decide which orders are in scope and what region and family a CPT code names.</summary>
    public static IReadOnlyList<string> ProcedureValueSets { get; } =
    [
        "vertebral-augmentation-procedures", "vertebroplasty-primary-procedures", "vertebroplasty-add-on-procedures", "kyphoplasty-primary-procedures",
        "kyphoplasty-add-on-procedures", "procedures-region-cervical", "procedures-region-thoracic", "procedures-region-lumbar", "procedures-region-sacral",
    ];

    private readonly IReadOnlyDictionary<string, CodeSet> _all;
    private readonly FrozenDictionary<string, CodeSet> _byId;

    internal PolicyValueSets(IReadOnlyDictionary<string, CodeSet> all)
    {
        _all = all;

        // Criteria look sets up by id on every evaluation: one frozen lookup, no string building.
        _byId = all.Where(a => a.Key.StartsWith(Base, StringComparison.Ordinal)).ToFrozenDictionary(a => a.Key[Base.Length..], a => a.Value, StringComparer.Ordinal);
        Require(ProcedureValueSets);
        ProcedureRegions = new Dictionary<SpinalRegion, CodeSet>
        {
            [SpinalRegion.Cervical] = this["procedures-region-cervical"],
            [SpinalRegion.Thoracic] = this["procedures-region-thoracic"],
            [SpinalRegion.Lumbar] = this["procedures-region-lumbar"],
            [SpinalRegion.SacrumCoccyx] = this["procedures-region-sacral"],
        };
        _regionsOfProcedure = Procedures.EnumeratedCodes(CodeSystems.Cpt)
            .ToFrozenDictionary(code => code, code => RegionsOf(new Coding(CodeSystems.Cpt, code)), StringComparer.Ordinal);
    }

    private readonly FrozenDictionary<string, FrozenSet<SpinalRegion>> _regionsOfProcedure;

    /// <summary>The CPT codes this policy decides (22510-22515).</summary>
    public CodeSet Procedures => this["vertebral-augmentation-procedures"];

    /// <summary>The spinal regions each CPT code names (22510 cervicothoracic, 22511 lumbosacral, ...).</summary>
    public IReadOnlyDictionary<SpinalRegion, CodeSet> ProcedureRegions { get; }

    /// <summary>The spinal regions a CPT code of <see cref="Procedures"/> names (looked up, not recomputed, for the enumerated codes).</summary>
    public IReadOnlySet<SpinalRegion> ProcedureRegionsOf(Coding procedure) =>
        procedure.System == CodeSystems.Cpt && procedure.Code is { } code && _regionsOfProcedure.TryGetValue(code, out var regions) ? regions : RegionsOf(procedure);

    private FrozenSet<SpinalRegion> RegionsOf(Coding procedure) =>
        ProcedureRegions.Where(p => p.Value.Contains(procedure)).Select(p => p.Key).ToFrozenSet();

    /// <summary>
    /// The spinal region a coding places a lesion or a body site in (ICD-10-CM region character, SNOMED CT region,
    /// vertebra or a disorder naming the region); sacrum first, so a lumbosacral code is not read as sacral only.
    /// </summary>
    public SpinalRegion? LesionRegionOf(Coding coding)
    {
        // Asked of every coding of every body site and lesion code: the four sets are looked up once.
        _lesionSites ??=
        [
            (SpinalRegion.SacrumCoccyx, this["lesion-site-sacrococcygeal"]),
            (SpinalRegion.Cervical, this["lesion-site-cervical"]),
            (SpinalRegion.Thoracic, this["lesion-site-thoracic"]),
            (SpinalRegion.Lumbar, this["lesion-site-lumbar"]),
        ];
        foreach (var (region, sites) in _lesionSites)
        {
            if (sites.Contains(coding))
            {
                return region;
            }
        }

        return null;
    }

    private (SpinalRegion Region, CodeSet Sites)[]? _lesionSites;

    /// <summary>Every loaded ValueSet by canonical URL.</summary>
    public IReadOnlyDictionary<string, CodeSet> All => _all;

    /// <summary>A ValueSet by id (<c>analgesics-opioid</c>); every id the engine reads is checked at load (<see cref="Require"/>).</summary>
    public CodeSet this[string id] =>
        _byId.TryGetValue(id, out var set) ? set : throw new PolicyArtifactException($"ValueSet {Base + id} is not loaded; the engine reads it.");

    /// <summary>Fails the load when any of <paramref name="ids"/> is missing, naming every one.</summary>
    internal void Require(IEnumerable<string> ids)
    {
        var missing = ids.Distinct(StringComparer.Ordinal).Where(id => !_all.ContainsKey(Base + id)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new PolicyArtifactException("Missing policy ValueSets in fhir-resources/ValueSet: " + string.Join(", ", missing.Select(m => Base + m)));
        }
    }
}
