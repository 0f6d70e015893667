using System.Globalization;
using System.Text.RegularExpressions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Lesions;

/// <summary>
/// Where a lesion is, or which vertebral body an order treats: a region, and the vertebra when it is known
/// (<c>T12</c>). A region alone (<c>thoracic</c>) is a level whose vertebra is not known.
/// </summary>
public readonly partial record struct VertebralLevel(SpinalRegion Region, int? Number)
{
    /// <summary><c>T12</c>, <c>L1</c>, <c>S</c> (sacrum), or the region's name when the vertebra is not known.</summary>
    public string Label => Number is { } n
        ? Prefix(Region) + n.ToString(CultureInfo.InvariantCulture)
        : (int)Region < RegionLabels.Length ? RegionLabels[(int)Region] : Region.Describe() + " spine";

    // Every sentence about an unplaced level names its region: the four labels are built once.
    private static readonly string[] RegionLabels = Enum.GetValues<SpinalRegion>().Select(r => r.Describe() + " spine").ToArray();

    public bool IsExact => Number is not null;

    /// <summary>Whether two levels may be the same vertebral body (same region; same vertebra when both are known).</summary>
    public bool MayBe(VertebralLevel other) => Region == other.Region && (Number is null || other.Number is null || Number == other.Number);

    public override string ToString() => Label;

    /// <summary>
    /// A level written as text: <c>T12</c>, <c>L1</c>, <c>T-12</c>, <c>L1 vertebra</c>, <c>T12 vertebral body</c>,
    /// <c>Coccyx</c>, <c>Sacrum</c>, <c>S1</c>. Only the first level named is read; a range such as <c>T11-T12</c>
    /// gives both through <see cref="ParseAll"/>.
    /// </summary>
    public static VertebralLevel? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // The first level named; every body site and code display is read this way, so matches are not materialised,
        // and text without a digit (most displays: "Thoracic spine structure") names no vertebra.
        if (NamesANumber(text))
        {
            foreach (var match in LevelPattern().EnumerateMatches(text))
            {
                if (LevelOf(text.AsSpan(match.Index, match.Length)) is { } level)
                {
                    return level;
                }
            }
        }

        return SacrumPattern().IsMatch(text) ? new VertebralLevel(SpinalRegion.SacrumCoccyx, null) : null;
    }

    /// <summary>Every level named in <paramref name="text"/>, in order, without repeats.</summary>
    public static IReadOnlyList<VertebralLevel> ParseAll(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var levels = new List<VertebralLevel>();
        foreach (var match in LevelPattern().EnumerateMatches(text))
        {
            if (LevelOf(text.AsSpan(match.Index, match.Length)) is { } l && !levels.Contains(l))
            {
                levels.Add(l);
            }
        }

        if (levels.Count == 0 && SacrumPattern().IsMatch(text))
        {
            levels.Add(new VertebralLevel(SpinalRegion.SacrumCoccyx, null));
        }

        return levels;
    }

    /// <summary>Whether the text holds a digit as the pattern's <c>\d</c> reads one (any Unicode decimal digit).</summary>
    private static bool NamesANumber(string text)
    {
        foreach (var c in text)
        {
            if (char.IsDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The level one match of <see cref="LevelPattern"/> names (region letter, optional separator, 1-2 digits); null when out of range.</summary>
    private static VertebralLevel? LevelOf(ReadOnlySpan<char> match)
    {
        var number = int.Parse(match[(char.IsDigit(match[1]) ? 1 : 2)..], CultureInfo.InvariantCulture);
        return char.ToUpperInvariant(match[0]) switch
        {
            'C' when number is >= 1 and <= 7 => new VertebralLevel(SpinalRegion.Cervical, number),
            'T' when number is >= 1 and <= 12 => new VertebralLevel(SpinalRegion.Thoracic, number),
            'L' when number is >= 1 and <= 5 => new VertebralLevel(SpinalRegion.Lumbar, number),
            'S' when number is >= 1 and <= 5 => new VertebralLevel(SpinalRegion.SacrumCoccyx, null),
            _ => null,
        };
    }

    private static string Prefix(SpinalRegion region) => region switch
    {
        SpinalRegion.Cervical => "C",
        SpinalRegion.Thoracic => "T",
        SpinalRegion.Lumbar => "L",
        _ => "S",
    };

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<r>[CTLSctls])[\s\-]?(?<n>\d{1,2})(?![0-9])")]
    private static partial Regex LevelPattern();

    [GeneratedRegex(@"\b(sacrum|sacral|coccyx|coccygeal)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SacrumPattern();
}
