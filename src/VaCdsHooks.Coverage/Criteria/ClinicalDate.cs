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

        // FHIR date and dateTime are fixed-width: read the digits directly (parsing by format costs microseconds each).
        if (!TryDigits(value, 0, 4, out var year) || year is < 1 or > 9999)
        {
            return null;
        }

        if (value.Length == 4)
        {
            var first = new DateOnly(year, 1, 1);
            return new ClinicalDate(first, new DateOnly(year, 12, 31), Midnight(first), value);
        }

        if (value.Length < 7 || value[4] != '-' || !TryDigits(value, 5, 2, out var monthNumber) || monthNumber is < 1 or > 12)
        {
            return null;
        }

        if (value.Length == 7)
        {
            var month = new DateOnly(year, monthNumber, 1);
            return new ClinicalDate(month, month.AddMonths(1).AddDays(-1), Midnight(month), value);
        }

        if (value.Length < 10 || value[7] != '-' || !TryDigits(value, 8, 2, out var dayNumber) || dayNumber < 1 || dayNumber > DateTime.DaysInMonth(year, monthNumber))
        {
            return null;
        }

        var day = new DateOnly(year, monthNumber, dayNumber);
        var sortKey = value.Length <= 10 ? Midnight(day)
            : TryInstant(value, day, out var instant) || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant) ? instant
            : Midnight(day);
        return new ClinicalDate(day, day, sortKey, value.Length == 10 ? value : value[..10]);
    }

    /// <summary>
    /// The instant of a FHIR dateTime's usual shape, <c>2026-10-11T08:00:00[.fff](Z|+hh:mm)</c>, read directly; false
    /// for anything else (read by the general parser instead, which takes about a microsecond).
    /// </summary>
    private static bool TryInstant(string value, DateOnly day, out DateTimeOffset instant)
    {
        instant = default;
        if (value.Length < 20 || value[10] != 'T' || value[13] != ':' || value[16] != ':' || day.Year is 1 or 9999
            || !TryDigits(value, 11, 2, out var hour) || hour > 23 || !TryDigits(value, 14, 2, out var minute) || minute > 59
            || !TryDigits(value, 17, 2, out var second) || second > 59)
        {
            return false;
        }

        var position = 19;
        long fractionTicks = 0;
        if (value[position] == '.')
        {
            var digits = 0;
            for (position++; position < value.Length && char.IsAsciiDigit(value[position]); position++, digits++)
            {
                fractionTicks = fractionTicks * 10 + (value[position] - '0');
            }

            if (digits is 0 or > 7)
            {
                return false;
            }

            for (; digits < 7; digits++)
            {
                fractionTicks *= 10;
            }
        }

        TimeSpan offset;
        if (position == value.Length - 1 && value[position] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (position == value.Length - 6 && value[position] is '+' or '-' && value[position + 3] == ':'
            && TryDigits(value, position + 1, 2, out var offsetHours) && TryDigits(value, position + 4, 2, out var offsetMinutes)
            && offsetMinutes < 60 && offsetHours * 60 + offsetMinutes <= 14 * 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (value[position] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        instant = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, minute, second)).AddTicks(fractionTicks), offset);
        return true;
    }

    private static bool TryDigits(string value, int start, int count, out int number)
    {
        number = 0;
        if (value.Length < start + count)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var digit = value[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            number = number * 10 + digit;
        }

        return true;
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
