using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Policy;

/// <summary>
/// The loaded policy: validated settings plus the compiled ValueSets and our CodeSystems. Built once at start
/// (<see cref="Load"/>); immutable and safe to share between threads.
/// </summary>
public sealed class CoveragePolicy
{
    private readonly IReadOnlyDictionary<(string System, string Code), string> _displays;
    private readonly Dictionary<(string System, string Code), string?> _conceptDisplays;

    private CoveragePolicy(PolicySettings settings, PolicyValueSets valueSets, IReadOnlyDictionary<string, CodeSystem> codeSystems, IReadOnlyDictionary<string, ValueSet> valueSetResources)
    {
        Settings = settings;
        PolicyUri = new Uri(settings.PolicyUrl);
        ValueSetResources = valueSetResources;
        ValueSets = valueSets;
        CodeSystems = codeSystems;
        _displays = BuildDisplays(valueSets, codeSystems);
        _conceptDisplays = codeSystems
            .SelectMany(cs => Flatten(cs.Value.Concept).Where(c => c.Code is not null).Select(c => (Key: (cs.Key, c.Code!), c.Display)))
            .DistinctBy(c => c.Key)
            .ToDictionary(c => c.Key, c => c.Display);
    }

    public PolicySettings Settings { get; }
    public PolicyValueSets ValueSets { get; }

    /// <summary><see cref="PolicySettings.PolicyUrl"/>, parsed once: every card links to it.</summary>
    public Uri PolicyUri { get; }

    /// <summary>The ValueSet artifacts as published, by canonical URL (DTR packages ship them to the form renderer).</summary>
    public IReadOnlyDictionary<string, ValueSet> ValueSetResources { get; }

    /// <summary>Our own CodeSystems by canonical URL.</summary>
    public IReadOnlyDictionary<string, CodeSystem> CodeSystems { get; }

    /// <summary>
    /// Reads <c>ValueSet/*.json</c> and <c>CodeSystem/*.json</c> under <paramref name="fhirResourcesDirectory"/>
    /// with the Firely parser, compiles the ValueSets and checks that every artifact the engine names exists.
    /// </summary>
    /// <exception cref="PolicyArtifactException">An artifact is missing or malformed, or the settings are invalid.</exception>
    public static CoveragePolicy Load(string fhirResourcesDirectory, PolicySettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fhirResourcesDirectory);
        ArgumentNullException.ThrowIfNull(settings);

        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new PolicyArtifactException("Invalid coverage policy settings: " + string.Join(" ", errors));
        }

        var valueSetDirectory = Path.Combine(fhirResourcesDirectory, "ValueSet");
        var codeSystemDirectory = Path.Combine(fhirResourcesDirectory, "CodeSystem");
        var valueSets = ReadAll<ValueSet>(valueSetDirectory);
        var codeSystems = ReadAll<CodeSystem>(codeSystemDirectory);
        return Build(settings, valueSets, codeSystems);
    }

    /// <summary>Builds the policy from already parsed artifacts (the source name is used in error messages).</summary>
    public static CoveragePolicy Build(PolicySettings settings, IReadOnlyList<(ValueSet ValueSet, string Source)> valueSets, IReadOnlyList<(CodeSystem CodeSystem, string Source)> codeSystems)
    {
        var frozen = settings.Clone();
        var compiled = ValueSetCompiler.CompileAll(valueSets);
        var systems = new Dictionary<string, CodeSystem>(StringComparer.Ordinal);
        foreach (var (codeSystem, source) in codeSystems)
        {
            if (string.IsNullOrWhiteSpace(codeSystem.Url) || !systems.TryAdd(codeSystem.Url, codeSystem))
            {
                throw new PolicyArtifactException($"{source}: CodeSystem has no url or a duplicate url ({codeSystem.Url}).");
            }
        }

        RequireConcepts(systems, Terminology.CodeSystems.Finding, FindingCodes.All);
        RequireConcepts(systems, Terminology.CodeSystems.Criterion, CriterionCodes.All);
        var resources = valueSets
            .Where(v => !string.IsNullOrWhiteSpace(v.ValueSet.Url))
            .GroupBy(v => v.ValueSet.Url!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().ValueSet, StringComparer.Ordinal);
        var policyValueSets = new PolicyValueSets(compiled);
        policyValueSets.Require(Criteria.ClinicalFacts.ValueSetsRead.Concat(Criteria.CriteriaEvaluator.All.SelectMany(c => c.ValueSetsRead)));
        return new CoveragePolicy(frozen, policyValueSets, systems, resources);
    }

    /// <summary>The display our CodeSystem gives a concept (for reason codings).</summary>
    public string? DisplayOf(string system, string code) => _conceptDisplays.GetValueOrDefault((system, code));

    /// <summary>The display any of our artifacts gives an enumerated code (for cards; null when none does).</summary>
    public string? DisplayOfCode(string system, string code) =>
        _displays.TryGetValue((system, Terminology.CodeSystems.NormalizeCode(system, code)), out var display) ? display : null;

    private static Dictionary<(string, string), string> BuildDisplays(PolicyValueSets valueSets, IReadOnlyDictionary<string, CodeSystem> codeSystems)
    {
        var displays = new Dictionary<(string, string), string>();
        foreach (var codeSet in valueSets.All.Values.OrderBy(v => v.Url, StringComparer.Ordinal))
        {
            foreach (var (key, display) in codeSet.Displays)
            {
                displays.TryAdd(key, display);
            }
        }

        foreach (var (url, codeSystem) in codeSystems)
        {
            foreach (var concept in Flatten(codeSystem.Concept).Where(c => c.Code is not null && c.Display is not null))
            {
                displays.TryAdd((url, concept.Code!), concept.Display!);
            }
        }

        return displays;
    }

    private static void RequireConcepts(Dictionary<string, CodeSystem> systems, string url, IEnumerable<string> codes)
    {
        if (!systems.TryGetValue(url, out var codeSystem))
        {
            throw new PolicyArtifactException($"Missing CodeSystem {url} in fhir-resources/CodeSystem.");
        }

        var defined = Flatten(codeSystem.Concept).Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        var missing = codes.Where(c => !defined.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new PolicyArtifactException($"CodeSystem {url} lacks concepts the engine uses: {string.Join(", ", missing)}.");
        }
    }

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> Flatten(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(Flatten(c.Concept)));

    private static List<(T Resource, string Source)> ReadAll<T>(string directory)
        where T : Resource
    {
        if (!Directory.Exists(directory))
        {
            throw new PolicyArtifactException($"Policy artifact directory {directory} does not exist.");
        }

        var options = new JsonSerializerOptions().ForFhir();
        var result = new List<(T, string)>();
        foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            Resource? resource;
            try
            {
                resource = JsonSerializer.Deserialize<Resource>(File.ReadAllText(file), options);
            }
            catch (Exception ex) when (ex is JsonException or DeserializationFailedException or IOException)
            {
                throw new PolicyArtifactException($"{name}: not a valid FHIR resource: {ex.Message}", ex);
            }

            if (resource is not T typed)
            {
                throw new PolicyArtifactException($"{name}: expected a {typeof(T).Name}, found {resource?.TypeName ?? "nothing"}.");
            }

            result.Add((typed, name));
        }

        if (result.Count == 0)
        {
            throw new PolicyArtifactException($"No {typeof(T).Name} artifacts in {directory}.");
        }

        return result;
    }
}
