using System.Globalization;
using VaCdsHooks.Coverage.Criteria;

namespace VaCdsHooks.Coverage.Tests.Criteria;

/// <summary>How a FHIR date or dateTime is read: the calendar day as written, and the instant it is ordered by.</summary>
public class ClinicalDateTests
{
    [Theory]
    [InlineData("2026-10-11T08:00:00Z")]
    [InlineData("2026-10-11T23:30:00-05:00")]
    [InlineData("2026-10-11T00:15:00+05:30")]
    [InlineData("2026-10-11T08:00:00.1Z")]
    [InlineData("2026-10-11T08:00:00.123+01:00")]
    [InlineData("2026-10-11T08:00:00.1234567-14:00")]
    [InlineData("2026-10-11T08:00:00.123456789Z")]
    [InlineData("2026-10-11T08:00:00")]
    [InlineData("2026-10-11T08:00")]
    [InlineData("2026-10-11T08:00:00+14:30")]
    [InlineData("2026-12-31T23:59:59+14:00")]
    public void A_date_time_is_ordered_by_the_instant_it_names_and_dated_by_the_day_written(string value)
    {
        var date = ClinicalDate.Parse(value)!.Value;

        // The instant as the general ISO 8601 reader gives it (no zone: UTC), else the day's midnight.
        var expected = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : new DateTimeOffset(new DateTime(2026, int.Parse(value[5..7], CultureInfo.InvariantCulture), int.Parse(value[8..10], CultureInfo.InvariantCulture)), TimeSpan.Zero);
        Assert.Equal(expected, date.SortKey);
        Assert.Equal(expected.Offset, date.SortKey.Offset);
        Assert.Equal(value[..10], date.Text);
        Assert.Equal(DateOnly.ParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture), date.Earliest);
        Assert.True(date.IsExactDay);
    }

    [Fact]
    public void Partial_dates_span_their_month_or_year()
    {
        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28)), ClinicalDate.Parse("2026-02") is { } month ? (month.Earliest, month.Latest) : default);
        Assert.Equal((new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)), ClinicalDate.Parse("2025") is { } year ? (year.Earliest, year.Latest) : default);
        Assert.Null(ClinicalDate.Parse("2026-02-30"));
        Assert.Null(ClinicalDate.Parse("last spring"));
    }
}
