using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Terminology;

/// <summary>
/// A ValueSet compiled for membership tests: per system, a hash set of enumerated codes and anchored regular
/// expressions (from <c>filter property=code op=regex</c>), plus imported ValueSets, minus excluded codes.
/// Immutable and thread-safe; built once when the policy loads.
/// </summary>
public sealed class CodeSet
{
    private readonly IReadOnlyDictionary<(string System, string Code), string> _displays;

    // Membership is asked thousands of times per call and a set names one or two systems: a scan of these finds the
    // system sooner than hashing its URL.
    private readonly (string System, CodeRule Rule)[] _includedRules;
    private readonly (string System, CodeRule Rule)[] _excludedRules;
    private readonly CodeSet[] _imports;

    internal CodeSet(
        string url,
        string? version,
        string title,
        IReadOnlyDictionary<string, CodeRule> included,
        IReadOnlyDictionary<string, CodeRule> excluded,
        IReadOnlyList<CodeSet> imports,
        IReadOnlyDictionary<(string, string), string> displays)
    {
        Url = url;
        Version = version;
        Title = title;
        _displays = displays;
        _includedRules = included.Select(r => (r.Key, r.Value)).ToArray();
        _excludedRules = excluded.Select(r => (r.Key, r.Value)).ToArray();
        _imports = [.. imports];
    }

    public string Url { get; }

    /// <summary>Displays of the codes this set enumerates itself.</summary>
    internal IReadOnlyDictionary<(string System, string Code), string> Displays => _displays;

    public string? Version { get; }
    public string Title { get; }

    public bool Contains(string? system, string? code)
    {
        if (string.IsNullOrEmpty(system) || string.IsNullOrWhiteSpace(code))
        {
            return false;
        }

        return ContainsNormalized(system, CodeSystems.NormalizeCode(system, code));
    }

    public bool Contains(Coding? coding) => coding is not null && Contains(coding.System, coding.Code);

    /// <summary>The first coding of the concept that is in this set (EHRs send several codings; any may match).</summary>
    public Coding? FirstMatch(CodeableConcept? concept)
    {
        // A loop, not LINQ: every criterion asks this of every coded resource, and the delegate was most of its cost.
        if (concept is null)
        {
            return null;
        }

        foreach (var coding in concept.Coding)
        {
            if (Contains(coding))
            {
                return coding;
            }
        }

        return null;
    }

    public bool ContainsAny(CodeableConcept? concept) => FirstMatch(concept) is not null;

    /// <summary>The display the artifact gives an enumerated code, if any (imports included).</summary>
    public string? DisplayOf(string system, string code)
    {
        var normalized = CodeSystems.NormalizeCode(system, code);
        if (_displays.TryGetValue((system, normalized), out var display))
        {
            return display;
        }

        return _imports.Select(i => i.DisplayOf(system, normalized)).FirstOrDefault(d => d is not null);
    }

    /// <summary>The enumerated codes of one system, sorted (for sentences such as "needs 22510 or 22511").</summary>
    public IReadOnlyList<string> EnumeratedCodes(string system) =>
        (RuleFor(_includedRules, system)?.Codes ?? [])
            .Concat(_imports.SelectMany(i => i.EnumeratedCodes(system)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Every code of the set with its display, when the set only enumerates codes (no regular expression, no
    /// exclusion, imports enumerable too); null otherwise. Used to expand small answer lists for DTR packages.
    /// </summary>
    public IReadOnlyList<Coding>? Enumerate()
    {
        if (_excludedRules.Length > 0 || _includedRules.Any(r => r.Rule.HasPatterns))
        {
            return null;
        }

        var result = new List<Coding>();
        foreach (var (system, rule) in _includedRules.OrderBy(r => r.System, StringComparer.Ordinal))
        {
            result.AddRange(rule.Codes.Order(StringComparer.Ordinal).Select(code => new Coding(system, code, _displays.GetValueOrDefault((system, code)))));
        }

        foreach (var import in _imports)
        {
            if (import.Enumerate() is not { } imported)
            {
                return null;
            }

            result.AddRange(imported.Where(c => !result.Any(r => r.System == c.System && r.Code == c.Code)));
        }

        return result;
    }

    public override string ToString() => Url;

    private bool ContainsNormalized(string system, string code)
    {
        if (RuleFor(_excludedRules, system) is { } excluded && excluded.Matches(code))
        {
            return false;
        }

        if (RuleFor(_includedRules, system) is { } included && included.Matches(code))
        {
            return true;
        }

        foreach (var import in _imports)
        {
            if (import.ContainsNormalized(system, code))
            {
                return true;
            }
        }

        return false;
    }

    private static CodeRule? RuleFor((string System, CodeRule Rule)[] rules, string system)
    {
        foreach (var (ruleSystem, rule) in rules)
        {
            if (string.Equals(ruleSystem, system, StringComparison.Ordinal))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>
    /// Enumerated codes and whole-code patterns of one system. Each pattern is guarded by its literal prefix
    /// (<c>M80.</c> for <c>M80\.[08]8X[ADGKP]</c>), so most codes are rejected by a string comparison and the
    /// regular expression runs only for codes that could match.
    /// </summary>
    internal sealed class CodeRule(HashSet<string> codes, IReadOnlyList<Regex> patterns)
    {
        private readonly (string Prefix, Regex Pattern)[] _guarded = patterns.Select(p => (LiteralPrefix(p), p)).ToArray();
        private readonly FrozenSet<string> _enumerated = codes.ToFrozenSet(StringComparer.Ordinal);

        public HashSet<string> Codes { get; } = codes;

        // Pattern results per code: a chart repeats the same few codes across many sets and calls. Bounded, so
        // a stream of junk codes cannot grow it without limit.
        private const int MaxRemembered = 4096;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _remembered = new(StringComparer.Ordinal);

        public bool HasPatterns => _guarded.Length > 0;

        public bool Matches(string code)
        {
            if (_enumerated.Contains(code))
            {
                return true;
            }

            if (_guarded.Length == 0)
            {
                return false;
            }

            if (_remembered.TryGetValue(code, out var known))
            {
                return known;
            }

            var matches = false;
            foreach (var (prefix, pattern) in _guarded)
            {
                if (code.StartsWith(prefix, StringComparison.Ordinal) && pattern.IsMatch(code))
                {
                    matches = true;
                    break;
                }
            }

            if (_remembered.Count < MaxRemembered)
            {
                _remembered.TryAdd(code, matches);
            }

            return matches;
        }

        /// <summary>
        /// The literal text every match must start with, read from a pattern compiled as <c>^(?:...)$</c>: literal
        /// characters and escaped punctuation up to the first construct; empty when the pattern has a top-level
        /// alternation or starts with a construct.
        /// </summary>
        internal static string LiteralPrefix(Regex compiled)
        {
            var text = compiled.ToString();
            const string open = "^(?:";
            const string close = ")$";
            if (!text.StartsWith(open, StringComparison.Ordinal) || !text.EndsWith(close, StringComparison.Ordinal))
            {
                return string.Empty;
            }

            var pattern = text[open.Length..^close.Length];
            if (HasTopLevelAlternation(pattern))
            {
                return string.Empty;
            }

            var prefix = new System.Text.StringBuilder();
            for (var i = 0; i < pattern.Length; i++)
            {
                char literal;
                var width = 1;
                if (pattern[i] == '\\' && i + 1 < pattern.Length && char.IsPunctuation(pattern[i + 1]))
                {
                    literal = pattern[i + 1];
                    width = 2;
                }
                else if (char.IsLetterOrDigit(pattern[i]) || pattern[i] is '-' or '_' or ' ')
                {
                    literal = pattern[i];
                }
                else
                {
                    break;
                }

                // A quantified character is optional or repeated: it cannot be part of the fixed prefix.
                var next = i + width < pattern.Length ? pattern[i + width] : '\0';
                if (next is '?' or '*' or '{' or '+')
                {
                    break;
                }

                prefix.Append(literal);
                i += width - 1;
            }

            return prefix.ToString();
        }

        private static bool HasTopLevelAlternation(string pattern)
        {
            var depth = 0;
            var inClass = false;
            for (var i = 0; i < pattern.Length; i++)
            {
                switch (pattern[i])
                {
                    case '\\':
                        i++;
                        break;
                    case '[':
                        inClass = true;
                        break;
                    case ']':
                        inClass = false;
                        break;
                    case '(' when !inClass:
                        depth++;
                        break;
                    case ')' when !inClass:
                        depth--;
                        break;
                    case '|' when !inClass && depth == 0:
                        return true;
                }
            }

            return false;
        }
    }
}
