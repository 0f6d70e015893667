using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Criteria;

public class OnsetWindowCriterionTests
{
    private static CriterionResult Onset(string onset, string? orderDate = "2026-11-24", int? months = null)
    {
        var policy = months is { } m ? TestPolicy.With(s => s.OnsetWindowMonths = m) : null;
        var chart = Chart.Empty().Condition("M80.08XA", onset: onset, bodySite: Site.Thoracic);
        return Engine.Criterion<OnsetWindowCriterion>(chart, policy, Orders.Procedure("22513", orderDate));
    }

    [Fact]
    public void Onset_exactly_four_months_before_order_is_inside_window() =>
        Assert.Equal(CriterionStatus.Met, Onset("2026-07-24").Status);

    [Fact]
    public void Onset_four_months_and_one_day_before_order_is_outside_window()
    {
        var result = Onset("2026-07-23");
        Assert.Equal(CriterionStatus.NotMet, result.Status);
        Assert.Contains("2026-11-23", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Onset_time_of_day_does_not_move_the_boundary() =>
        Assert.Equal(CriterionStatus.Met, Onset("2026-07-24T23:59:00-05:00").Status);

    [Fact]
    public void Month_end_onset_uses_calendar_months() =>
        Assert.Equal(CriterionStatus.Met, Onset("2026-10-31", orderDate: "2027-02-28").Status);

    [Fact]
    public void Onset_known_only_to_the_month_that_straddles_the_boundary_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Onset("2026-07").Status);

    [Fact]
    public void Onset_known_only_to_a_month_well_inside_is_met() =>
        Assert.Equal(CriterionStatus.Met, Onset("2026-09").Status);

    [Fact]
    public void No_onset_anywhere_is_unknown() =>
        Assert.Equal(CriterionStatus.Unknown, Engine.Criterion<OnsetWindowCriterion>(Chart.Empty().Condition("M80.08XA")).Status);

    [Fact]
    public void Recorded_pain_onset_fills_a_lesion_without_an_onset()
    {
        var chart = Chart.Empty().Condition("M80.08XA").PainOnsetRecorded("2026-10-10");
        var result = Engine.Criterion<OnsetWindowCriterion>(chart);
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains("recorded pain onset", result.Explanation, StringComparison.Ordinal);
    }

    // Version 2: the lesion's own onset dates its pain; a recorded onset that contradicts it goes to a reviewer.
    [Fact]
    public void Recorded_pain_onset_contradicting_the_coded_onset_is_a_conflict_for_a_reviewer()
    {
        var chart = Chart.Empty().Condition("M80.08XA", onset: "2026-01-01").PainOnsetRecorded("2026-10-10");
        var result = Engine.Criterion<OnsetWindowCriterion>(chart);
        Assert.Equal(CriterionStatus.Unknown, result.Status);
        Assert.Contains("conflict", result.Flags);
    }

    [Fact]
    public void Order_without_authored_date_is_compared_with_the_call_date()
    {
        var result = Onset("2026-07-24", orderDate: null);
        Assert.Equal(CriterionStatus.Met, result.Status);
        Assert.Contains("today", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_length_is_a_policy_setting() =>
        Assert.Equal(CriterionStatus.Met, Onset("2026-06-24", months: 5).Status);
}
