using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// Enums are stored and exchanged as the kebab-case of their member names (<c>PendingReview</c> = <c>pending-review</c>),
/// so a row stays readable and a new member needs no migration.
/// </summary>
internal static class WireCode<TEnum>
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Codes =
        Enum.GetValues<TEnum>().ToDictionary(value => value, value => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString()));

    private static readonly Dictionary<string, TEnum> Values = Codes.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    public static string Of(TEnum value) =>
        Codes.TryGetValue(value, out var code) ? code : throw new ArgumentOutOfRangeException(nameof(value), value, $"Unknown {typeof(TEnum).Name}.");

    public static bool TryParse(string? code, out TEnum value) => Values.TryGetValue(code ?? "", out value);

    public static TEnum Parse(string code) =>
        TryParse(code, out var value) ? value : throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{code}' stored in the database.");
}

internal sealed class WireCodeConverter<TEnum>() : ValueConverter<TEnum, string>(value => WireCode<TEnum>.Of(value), code => WireCode<TEnum>.Parse(code))
    where TEnum : struct, Enum;

/// <summary>A list of strings in one text column as a JSON array (a column type both providers share, unlike PostgreSQL arrays).</summary>
internal static class StringListColumn
{
    public static readonly ValueConverter<IReadOnlyList<string>, string> Converter = new(
        values => JsonSerializer.Serialize(values, StorageJsonContext.Default.IReadOnlyListString),
        json => JsonSerializer.Deserialize(json, StorageJsonContext.Default.ListString) ?? new List<string>());

    public static readonly ValueComparer<IReadOnlyList<string>> Comparer = new(
        (left, right) => left!.SequenceEqual(right!),
        values => values.Aggregate(0, (hash, value) => HashCode.Combine(hash, value)),
        values => values.ToList());
}
