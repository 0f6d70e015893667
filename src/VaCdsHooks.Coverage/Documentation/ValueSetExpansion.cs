using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// Expands our published ValueSets (fhir-resources/ValueSet) from the compiled code sets: for DTR packages,
/// <c>ValueSet/$expand</c> and the answer lists of the Questionnaire. Only enumerable sets (codes listed, no
/// patterns or exclusions) expand; the others are defined by rules a client evaluates with a terminology server.
/// </summary>
public sealed class ValueSetExpansion(CoveragePolicy policy)
{
    /// <summary>The published ValueSet with this canonical url (ignoring a <c>|version</c>), or null.</summary>
    public ValueSet? Find(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var url = canonical.Split('|')[0];
        return policy.ValueSetResources.TryGetValue(url, out var published) ? published : null;
    }

    /// <summary>The published ValueSet whose id is <paramref name="id"/>, or null.</summary>
    public ValueSet? FindById(string id) => policy.ValueSetResources.Values.FirstOrDefault(v => v.Id == id);

    /// <summary>The codes of the set in the order it lists them, or null when it is not enumerable.</summary>
    public IReadOnlyList<Coding>? Codes(string url)
    {
        if (!policy.ValueSets.All.TryGetValue(url, out var compiled) || compiled.Enumerate() is not { } codes)
        {
            return null;
        }

        // Keep the order the analyst wrote (an answer list reads in that order); codes from imports follow.
        var published = Find(url);
        var listed = published?.Compose?.Include.SelectMany(i => i.Concept.Select(c => (i.System, c.Code))).ToList() ?? [];
        return codes.OrderBy(c => listed.IndexOf((c.System, c.Code)) is var at && at >= 0 ? at : int.MaxValue).ToList();
    }

    /// <summary>A copy of the published ValueSet with its expansion, or null when it is unknown or not enumerable.</summary>
    public ValueSet? Expand(string canonical, DateTimeOffset now)
    {
        if (Find(canonical) is not { } published || Codes(published.Url!) is not { } codes)
        {
            return null;
        }

        var valueSet = (ValueSet)published.DeepCopy();
        valueSet.Expansion = new ValueSet.ExpansionComponent
        {
            Identifier = StableIds.Urn("expansion", valueSet.Url ?? string.Empty, valueSet.Version ?? string.Empty),
            Timestamp = now.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            Total = codes.Count,
            Contains = codes.Select(c => new ValueSet.ContainsComponent { System = c.System, Code = c.Code, Display = c.Display }).ToList(),
        };
        return valueSet;
    }
}
