using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Terminology;

/// <summary>
/// Compiles ValueSet.compose into <see cref="CodeSet"/>s. Supported (and documented in fhir-resources/README.md):
/// <c>include/exclude.system</c> with enumerated <c>concept</c>s; <c>include/exclude.system</c> with
/// <c>filter { property: "code", op: "regex" }</c> (matched against the whole code); <c>include.valueSet</c>
/// importing another of our ValueSets. Anything else is rejected at load, never silently ignored.
/// </summary>
internal static class ValueSetCompiler
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    public static IReadOnlyDictionary<string, CodeSet> CompileAll(IReadOnlyList<(ValueSet ValueSet, string Source)> valueSets)
    {
        var byUrl = new Dictionary<string, (ValueSet ValueSet, string Source)>(StringComparer.Ordinal);
        foreach (var entry in valueSets)
        {
            var url = entry.ValueSet.Url;
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new PolicyArtifactException($"{entry.Source}: ValueSet has no url.");
            }

            if (!byUrl.TryAdd(url, entry))
            {
                throw new PolicyArtifactException($"{entry.Source}: ValueSet url {url} is defined twice (also in {byUrl[url].Source}).");
            }
        }

        var compiled = new Dictionary<string, CodeSet>(StringComparer.Ordinal);
        foreach (var url in byUrl.Keys.Order(StringComparer.Ordinal))
        {
            Compile(url, byUrl, compiled, []);
        }

        return compiled;
    }

    private static CodeSet Compile(string url, Dictionary<string, (ValueSet ValueSet, string Source)> byUrl, Dictionary<string, CodeSet> compiled, HashSet<string> inProgress)
    {
        if (compiled.TryGetValue(url, out var done))
        {
            return done;
        }

        var canonicalUrl = url.Split('|')[0];
        if (!byUrl.TryGetValue(canonicalUrl, out var entry))
        {
            throw new PolicyArtifactException($"ValueSet {url} is referenced but not defined in fhir-resources/ValueSet.");
        }

        if (!inProgress.Add(canonicalUrl))
        {
            throw new PolicyArtifactException($"{entry.Source}: ValueSet {canonicalUrl} imports itself (directly or indirectly).");
        }

        var compose = entry.ValueSet.Compose
            ?? throw new PolicyArtifactException($"{entry.Source}: ValueSet {canonicalUrl} has no compose.");
        if (compose.Include.Count == 0)
        {
            throw new PolicyArtifactException($"{entry.Source}: ValueSet {canonicalUrl} includes nothing.");
        }

        var included = new Dictionary<string, (HashSet<string> Codes, List<Regex> Patterns)>(StringComparer.Ordinal);
        var excluded = new Dictionary<string, (HashSet<string> Codes, List<Regex> Patterns)>(StringComparer.Ordinal);
        var displays = new Dictionary<(string, string), string>();
        var imports = new List<CodeSet>();

        foreach (var include in compose.Include)
        {
            // FHIR reads several ValueSets in one include as their intersection; a union is one include each.
            if (include.ValueSet.Count() > 1)
            {
                throw new PolicyArtifactException($"{entry.Source}: an include naming several valueSets means their intersection, which is not supported; give each ValueSet its own include for a union.");
            }

            foreach (var imported in include.ValueSet.OfType<string>())
            {
                if (!string.IsNullOrEmpty(include.System))
                {
                    throw new PolicyArtifactException($"{entry.Source}: an include with both system and valueSet (intersection) is not supported.");
                }

                imports.Add(Compile(imported, byUrl, compiled, inProgress));
            }

            if (!string.IsNullOrEmpty(include.System))
            {
                AddComponent(entry.Source, include, included, displays);
            }
            else if (!include.ValueSet.Any())
            {
                throw new PolicyArtifactException($"{entry.Source}: an include needs a system or a valueSet.");
            }
        }

        foreach (var exclude in compose.Exclude)
        {
            if (string.IsNullOrEmpty(exclude.System) || exclude.ValueSet.Any())
            {
                throw new PolicyArtifactException($"{entry.Source}: an exclude must name a system with concepts or a regex filter.");
            }

            AddComponent(entry.Source, exclude, excluded, null);
        }

        var title = entry.ValueSet.Title ?? entry.ValueSet.Name ?? canonicalUrl;
        var codeSet = new CodeSet(canonicalUrl, entry.ValueSet.Version, title, ToRules(included), ToRules(excluded), imports, displays);
        inProgress.Remove(canonicalUrl);
        compiled[canonicalUrl] = codeSet;
        return codeSet;
    }

    private static void AddComponent(
        string source,
        ValueSet.ConceptSetComponent component,
        Dictionary<string, (HashSet<string> Codes, List<Regex> Patterns)> target,
        Dictionary<(string, string), string>? displays)
    {
        var system = component.System!;
        if (component.Concept.Count == 0 && component.Filter.Count == 0)
        {
            throw new PolicyArtifactException($"{source}: including every code of {system} is not supported; enumerate concepts or use a regex filter.");
        }

        if (!target.TryGetValue(system, out var slot))
        {
            slot = (new HashSet<string>(StringComparer.Ordinal), []);
            target[system] = slot;
        }

        foreach (var concept in component.Concept)
        {
            if (string.IsNullOrWhiteSpace(concept.Code))
            {
                throw new PolicyArtifactException($"{source}: a concept of {system} has no code.");
            }

            var code = CodeSystems.NormalizeCode(system, concept.Code);
            slot.Codes.Add(code);
            if (displays is not null && !string.IsNullOrEmpty(concept.Display))
            {
                displays[(system, code)] = concept.Display;
            }
        }

        foreach (var filter in component.Filter)
        {
            if (filter.Property != "code" || filter.Op != FilterOperator.Regex || string.IsNullOrEmpty(filter.Value))
            {
                throw new PolicyArtifactException($"{source}: filter {filter.Property} {filter.Op} on {system} is not supported; use property 'code', op 'regex'.");
            }

            try
            {
                slot.Patterns.Add(new Regex("^(?:" + filter.Value + ")$", RegexOptions.CultureInvariant | RegexOptions.Compiled, RegexTimeout));
            }
            catch (ArgumentException ex)
            {
                throw new PolicyArtifactException($"{source}: regex '{filter.Value}' on {system} is invalid: {ex.Message}");
            }
        }
    }

    private static Dictionary<string, CodeSet.CodeRule> ToRules(Dictionary<string, (HashSet<string> Codes, List<Regex> Patterns)> components) =>
        components.ToDictionary(c => c.Key, c => new CodeSet.CodeRule(c.Value.Codes, c.Value.Patterns), StringComparer.Ordinal);
}
