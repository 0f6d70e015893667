using System.Globalization;

namespace VaCdsHooks.Api.Review;

/// <summary>Words and styles the pages use for codes, so a nurse reads "Pending review", not "pending-review".</summary>
public static class ReviewDisplay
{
    public static IReadOnlyList<string> QueueTabs { get; } =
        ["pending-review", "more-information-requested", "awaiting-documentation", "processing", "approved", "denied"];

    public static string Status(string code) => code switch
    {
        "pending-review" => "Pending review",
        "more-information-requested" => "More information requested",
        "awaiting-documentation" => "Awaiting documentation",
        "processing" => "Processing answers",
        "approved" => "Approved",
        "denied" => "Denied",
        _ => code,
    };

    /// <summary>A criterion result in words; for exclusions "present" is the bad outcome.</summary>
    public static string Criterion(string? code) => code switch
    {
        null => "—",
        "met" => "Met",
        "not-met" => "Not met",
        "present" => "Present",
        "ruled-out" => "Ruled out",
        "unknown" => "Unknown",
        _ => code,
    };

    /// <summary>CSS tone: good, bad, open.</summary>
    public static string CriterionTone(string? code) => code switch
    {
        "met" or "ruled-out" => "good",
        "not-met" or "present" => "bad",
        null => "none",
        _ => "open",
    };

    public static string StatusTone(string code) => code switch
    {
        "approved" => "good",
        "denied" => "bad",
        "pending-review" => "attention",
        _ => "open",
    };

    public static string Decision(string code) => code switch
    {
        "approve" => "Approved",
        "deny" => "Denied",
        "pend" => "Pended for more information",
        _ => code,
    };

    public static string Origin(string origin) => origin switch
    {
        "pre-filled" => "Pre-filled",
        "changed" => "Changed by provider",
        "typed" => "Typed by provider",
        _ => origin,
    };

    public static string Flag(string flag) => flag switch
    {
        "competing-pain-generator" => "Competing pain generator",
        "conflict" => "Conflict",
        "record-gap" => "EHR could not provide data",
        _ => flag,
    };

    public static string Age(DateTimeOffset createdAt, DateTimeOffset now)
    {
        var age = now - createdAt;
        return age.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} d {age.Hours} h")
            : age.TotalHours >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h")
                : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)age.TotalMinutes)} min");
    }

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Age presets of the queue page → min/max days.</summary>
    public static (int? Min, int? Max) AgeRange(string? preset) => preset switch
    {
        "lt1" => (null, 1),
        "1to3" => (1, 3),
        "3to7" => (3, 7),
        "gt7" => (7, null),
        "gt14" => (14, null),
        _ => (null, null),
    };

    public static IReadOnlyList<(string Value, string Label)> AgePresets { get; } =
    [
        ("", "Any age"), ("lt1", "Under 1 day"), ("1to3", "1 to 3 days"), ("3to7", "3 to 7 days"), ("gt7", "Over 7 days"), ("gt14", "Over 14 days"),
    ];
}
