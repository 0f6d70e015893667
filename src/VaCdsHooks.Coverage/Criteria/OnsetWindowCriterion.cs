using System.Globalization;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Within N calendar months (default 4) from the pain onset of the treated lesion to the planned procedure date
/// (ServiceRequest.occurrence[x], else authoredOn, else today): onset 2026-07-24 is inside for a procedure on
/// 2026-11-24, 2026-07-23 is outside. A partial onset straddling the boundary, an onset after the planned date
/// (a data error), an onset recorded only as an age, a vague string or a long period, and a recorded pain onset
/// that contradicts the coded one are unknown, never met.
/// </summary>
public sealed class OnsetWindowCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.OnsetWindow;
    public override string Title => "Within 4 months of pain onset";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "Observation"];
    public override IReadOnlyList<string> FindingsRead { get; } = [FindingCodes.PainOnset];

    public override CriterionResult Evaluate(CriterionContext context)
    {
        var episode = context.Episode;
        var prefix = episode.LevelPrefix;
        var onset = episode.Onset;
        var planned = episode.PlannedText + " (" + context.Order.PlannedDateSource + ")";
        if (onset is null)
        {
            return Unknown(prefix + "pain onset is not documented: no onset date on the lesion and no recorded pain onset.");
        }

        if (onset.Date is not { } date)
        {
            return Unknown($"{prefix}pain onset cannot be dated: {onset.Problem}.", [onset.Evidence]);
        }

        var evidence = new[] { onset.Evidence, new EvidenceItem(context.Order.Reference, Date: "planned " + episode.PlannedText) };
        if (episode.OnsetConflict is { } conflict)
        {
            return Unknown(
                $"{prefix}the coded onset {date.Text} and the recorded pain onset {conflict.Date?.Text} disagree. A reviewer decides.",
                evidence.Append(conflict.Evidence)) with { Flags = ["conflict"] };
        }

        if (episode.OnsetAfterPlannedDate)
        {
            return Unknown($"{prefix}the recorded onset {date.Text} is after the planned date {planned}: a data error to correct.", evidence);
        }

        var months = context.Settings.OnsetWindowMonths;
        if (IsInside(date.Earliest, episode.PlannedDate, months))
        {
            return Met($"{prefix}pain since {date.Text} ({onset.Source}); {planned} is within {months} months (window ends {End(date.Earliest, months)}).", evidence);
        }

        if (!IsInside(date.Latest, episode.PlannedDate, months))
        {
            return NotMet($"{prefix}pain since {date.Text} ({onset.Source}), more than {months} months before {planned} (window ended {End(date.Latest, months)}).", evidence);
        }

        return Unknown($"{prefix}pain onset is recorded only as {date.Text}; whether {planned} is within {months} months depends on the exact day.", evidence);
    }

    /// <summary>Calendar months: the window includes the day N months after onset.</summary>
    public static bool IsInside(DateOnly onset, DateOnly plannedDate, int months) => onset.AddMonths(months) >= plannedDate;

    private static string End(DateOnly onset, int months) => onset.AddMonths(months).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
