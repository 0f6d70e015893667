using System.Globalization;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Within N calendar months of pain onset (default 4): onset 2026-07-24 is inside for an order dated
/// 2026-11-24, 2026-07-23 is outside. A partial onset date whose first and last possible day fall on different
/// sides of the boundary is unknown.
/// </summary>
public sealed class OnsetWindowCriterion : CoverageCriterion
{
    public override string Id => CriterionCodes.OnsetWindow;
    public override string Title => "Within 4 months of pain onset";
    public override CriterionKind Kind => CriterionKind.Inclusion;
    public override IReadOnlyList<string> ReadsResourceTypes { get; } = ["Condition", "Observation"];

    public override CriterionResult Evaluate(ClinicalFacts facts, InScopeOrder order)
    {
        var onset = facts.PainOnset;
        if (onset is null)
        {
            return Unknown("Pain onset is not documented: no recorded pain onset and no onset date on the coded lesion.");
        }

        var months = facts.Settings.OnsetWindowMonths;
        var orderDate = order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (order.OrderDateIsCallDate ? " (today; the order has no authored date)" : string.Empty);
        var evidence = new[] { onset.Evidence, new EvidenceItem(order.Reference, Date: "ordered " + order.OrderDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) };

        if (IsInside(onset.Date.Earliest, order.OrderDate, months))
        {
            return Met($"Pain began {onset.Date.Text} ({onset.Source}); the order date {orderDate} is within {months} months (window ends {End(onset.Date.Earliest, months)}).", evidence);
        }

        if (!IsInside(onset.Date.Latest, order.OrderDate, months))
        {
            return NotMet($"Pain began {onset.Date.Text} ({onset.Source}); the order date {orderDate} is more than {months} months later (window ended {End(onset.Date.Latest, months)}).", evidence);
        }

        return Unknown($"Pain onset is recorded only as {onset.Date.Text}; whether the order date {orderDate} is within {months} months depends on the exact day.", evidence);
    }

    /// <summary>Calendar months: the window includes the day N months after onset.</summary>
    public static bool IsInside(DateOnly onset, DateOnly orderDate, int months) => onset.AddMonths(months) >= orderDate;

    private static string End(DateOnly onset, int months) => onset.AddMonths(months).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
