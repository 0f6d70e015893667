using System.Globalization;
using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// A FHIR date or dateTime as a range of calendar days (a partial date such as <c>2026-07</c> spans the month).
/// The calendar day is the one written in the value (its own offset): clinicians date onset by local day.
/// </summary>
public readonly record struct ClinicalDate(DateOnly Earliest, DateOnly Latest, DateTimeOffset SortKey, string Text)
{
    public bool IsExactDay => Earliest == Latest;

    public override string ToString() => Text;

    public static ClinicalDate? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var culture = CultureInfo.InvariantCulture;
        if (value.Length == 4 && int.TryParse(value, NumberStyles.None, culture, out var year) && year is > 0 and < 10000)
        {
            var first = new DateOnly(year, 1, 1);
            return new ClinicalDate(first, new DateOnly(year, 12, 31), Midnight(first), value);
        }

        if (value.Length == 7 && DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", culture, DateTimeStyles.None, out var month))
        {
            return new ClinicalDate(month, month.AddMonths(1).AddDays(-1), Midnight(month), value);
        }

        if (value.Length >= 10 && DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", culture, DateTimeStyles.None, out var day))
        {
            var sortKey = value.Length > 10 && DateTimeOffset.TryParse(value, culture, DateTimeStyles.AssumeUniversal, out var instant) ? instant : Midnight(day);
            return new ClinicalDate(day, day, sortKey, value[..10]);
        }

        return null;
    }

    /// <summary>onset[x]/effective[x]/performed[x]: dateTime, date, instant, or a Period's start.</summary>
    public static ClinicalDate? From(DataType? value) => value switch
    {
        FhirDateTime dateTime => Parse(dateTime.Value),
        Date date => Parse(date.Value),
        Instant instant when instant.Value is { } i => Parse(i.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)),
        Period period => Parse(period.Start),
        _ => null,
    };

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
