using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "Onset window: pain onset of that lesion to the planned procedure date (ServiceRequest.occurrence[x], else
/// authoredOn, else today). An onset after that date is a data error: unknown, never met." Calendar months: onset on
/// 2026-07-24 is inside for 2026-11-24, 2026-07-23 is outside.
/// </summary>
public class OnsetAndPlannedDateScenarios
{
    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart OnsetOn(DataType? onset) => Base().Onset("fracture", onset);

    private static IEnumerable<V2Scenario> Build()
    {
        yield return new("Onset_exactly_four_months_before_the_order_date_is_inside_the_window", () => OnsetOn(new FhirDateTime("2026-07-24")), Covered, (OnsetWindow, "met"));
        yield return new("Onset_four_months_and_one_day_before_the_order_date_is_outside_the_window", () => OnsetOn(new FhirDateTime("2026-07-23")), NotCovered, (OnsetWindow, "not-met"));

        // The window runs to the planned procedure date, not to the day the order is written.
        yield return new("Planned_date_more_than_four_months_after_onset_is_not_covered_although_authoredOn_is_inside", Base, NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").PlannedOn("2027-02-15")],
        };
        yield return new("Planned_date_exactly_four_months_after_onset_is_inside_the_window", Base, Covered, (OnsetWindow, "met"))
        {
            Orders = () => [Order("22513").PlannedOn("2027-02-01")],
        };
        yield return new("Planned_date_four_months_and_one_day_after_onset_is_outside_the_window", Base, NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").PlannedOn("2027-02-02")],
        };
        yield return new("Planned_period_starting_five_months_after_onset_is_not_covered", Base, NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").PlannedDuring("2027-03-01", "2027-03-15")],
        };
        yield return new("Order_without_authoredOn_or_planned_date_is_measured_to_today", () => OnsetOn(new FhirDateTime("2026-07-24")), Covered, (OnsetWindow, "met"))
        {
            Orders = () => [Support.Orders.Procedure("22513", authoredOn: null)],
        };
        yield return new("Order_without_authoredOn_and_onset_four_months_and_a_day_before_today_is_outside", () => OnsetOn(new FhirDateTime("2026-07-23")), NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Support.Orders.Procedure("22513", authoredOn: null)],
        };

        // "An onset after that date is a data error: unknown, never met."
        yield return new("Onset_after_the_planned_date_is_unknown_never_met", () => OnsetOn(new FhirDateTime("2026-12-05")), Conditional, (OnsetWindow, "unknown"));
        yield return new("Onset_after_an_explicit_planned_date_is_unknown_never_met", () => OnsetOn(new FhirDateTime("2026-11-22")), Conditional, (OnsetWindow, "unknown"))
        {
            Orders = () => [Order("22513").PlannedOn("2026-11-20")],
        };

        // "onsetPeriod spanning more than a few days, onsetAge and a vague onsetString make the onset unknown unless
        // another source pins it."
        yield return new("Onset_period_spanning_three_months_is_unknown", () => Base().OnsetPeriod("fracture", "2026-08-01", "2026-10-31"), Conditional, (OnsetWindow, "unknown"));
        yield return new("Onset_period_spanning_across_the_window_boundary_is_unknown", () => Base().OnsetPeriod("fracture", "2026-07-01", "2026-08-15"), Conditional, (OnsetWindow, "unknown"));
        yield return new("Onset_period_of_two_days_well_inside_the_window_is_met", () => Base().OnsetPeriod("fracture", "2026-10-01", "2026-10-02"), Covered, (OnsetWindow, "met"));
        yield return new("Onset_given_as_an_age_is_unknown", () => Base().OnsetAge("fracture", 80), Conditional, (OnsetWindow, "unknown"));
        yield return new("Vague_onset_string_is_unknown", () => Base().OnsetString("fracture", "a few months ago"), Conditional, (OnsetWindow, "unknown"));
        yield return new("Vague_onset_string_pinned_by_an_onset_observation_about_the_fracture_is_met",
            () => Base().OnsetString("fracture", "several weeks ago").OnsetObservation("2026-10-01", focusConditionId: "fracture"), Covered, (OnsetWindow, "met"));
        yield return new("Missing_onset_pinned_by_an_onset_observation_when_there_is_only_one_lesion_is_met",
            () => Base().Onset("fracture", null).OnsetObservation("2026-10-01"), Covered, (OnsetWindow, "met"));

        // "onsetDateTime/onsetDate give the local calendar date as written (no conversion to UTC)".
        yield return new("Onset_late_evening_of_the_day_before_the_boundary_in_local_time_is_outside",
            () => OnsetOn(new FhirDateTime("2026-07-23T21:00:00-05:00")), NotCovered, (OnsetWindow, "not-met"));
        yield return new("Onset_early_morning_of_the_boundary_day_in_local_time_is_inside",
            () => OnsetOn(new FhirDateTime("2026-07-24T01:00:00+09:00")), Covered, (OnsetWindow, "met"));

        // "a cancer's diagnosis date is not the onset of a new fracture's pain".
        yield return new("Cancer_diagnosed_long_ago_with_a_new_pathological_fracture_is_inside_the_window",
            () => Base().Without("Condition/fracture").Condition("C79.51", onset: "2025-06-01", id: "metastasis").LesionAt("M84.58XA", "T12", "2026-10-01", "fracture"),
            Covered, (OnsetWindow, "met"));

        // Per episode: "Only evidence dated on or after the lesion's pain onset ... counts."
        yield return new("Oswestry_index_recorded_before_the_fracture_does_not_count",
            () => Base().Without("Observation/odi").Odi(42, "2026-09-01"), Conditional, (PainImpairment, "unknown"));
    }
}
