using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// Version 2 makes the treated vertebral body the unit of decision: "The treated level(s) of an order:
/// ServiceRequest.bodySite, else the lesions named in reasonReference/reasonCode, else the CPT region".
/// </summary>
public class TreatedLevelScenarios
{
    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    /// <summary>T12 fracture with pain from 2026-10-01 and a T8 fracture from 2026-03-20 (eight months before the order).</summary>
    private static Chart NewAndOld() => BaseAt("T12").LesionAt("M80.08XA", "T8", "2026-03-20", "old-fracture");

    private static IEnumerable<V2Scenario> Build()
    {
        yield return new("Single_thoracic_fracture_with_an_order_without_bodySite_is_covered_with_the_treated_level_met", Base, Covered, (TreatedLevel, "met"));
        yield return new("Order_bodySite_T12_naming_the_documented_T12_fracture_is_covered", () => BaseAt("T12"), Covered, (TreatedLevel, "met"), (Indication, "met"))
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };
        yield return new("Order_bodySite_coded_thoracic_spine_with_one_thoracic_fracture_is_covered", Base, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513").AtSite(Site.Thoracic)],
        };

        // "When the region holds several candidate lesions that would be decided differently (one new, one 8 months
        // old ...), the answer is conditional and the questionnaire asks which level is treated; it is never the most
        // favourable lesion."
        yield return new("Two_fractures_one_new_one_eight_months_old_in_the_ordered_region_is_conditional_on_the_treated_level", NewAndOld, Conditional, (TreatedLevel, "unknown"));
        yield return new("Two_fractures_new_and_old_with_bodySite_naming_the_old_level_is_not_covered", NewAndOld, NotCovered, (TreatedLevel, "met"), (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").AtLevel("T8")],
        };
        yield return new("Two_fractures_new_and_old_with_bodySite_naming_the_new_level_is_covered", NewAndOld, Covered, (TreatedLevel, "met"), (OnsetWindow, "met"))
        {
            Orders = () => [Order("22513").AtLevel("T12")],
        };
        yield return new("Two_fractures_new_and_old_with_reasonReference_to_the_new_fracture_is_covered", NewAndOld, Covered, (TreatedLevel, "met"), (OnsetWindow, "met"))
        {
            Orders = () => [Order("22513").For("fracture")],
        };
        yield return new("Two_fractures_new_and_old_with_reasonReference_to_the_old_fracture_is_not_covered", NewAndOld, NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").For("old-fracture")],
        };

        // "... or all candidate lesions would be decided alike".
        yield return new("Two_new_thoracic_fractures_decided_alike_is_covered_with_the_treated_level_met",
            () => BaseAt("T12").LesionAt("M80.08XA", "T11", "2026-10-01", "second"), Covered, (TreatedLevel, "met"));

        // Only lesions in the CPT region are candidates: the lesion outside it does not decide.
        yield return new("New_thoracic_fracture_and_old_lumbar_fracture_with_a_thoracic_kyphoplasty_is_decided_by_the_thoracic_one",
            () => BaseAt("T12").LesionAt("M80.08XA", "L2", "2026-03-20", "old-lumbar"), Covered, (TreatedLevel, "met"), (OnsetWindow, "met"));
        yield return new("New_lumbar_fracture_and_old_thoracic_fracture_with_a_lumbar_kyphoplasty_is_decided_by_the_lumbar_one",
            () => LumbarBase().LesionAt("M80.08XA", "T8", "2026-03-20", "old-thoracic"), Covered, (TreatedLevel, "met"), (OnsetWindow, "met"))
        {
            Orders = () => [Order("22514")],
        };
        yield return new("Old_thoracic_fracture_and_new_lumbar_fracture_with_a_thoracic_kyphoplasty_is_not_covered",
            () => BaseAt("T8", onset: "2026-03-20").LesionAt("M80.08XA", "L2", "2026-10-01", "new-lumbar"), NotCovered, (OnsetWindow, "not-met"));
        yield return new("New_thoracic_collapse_and_old_lumbar_collapse_known_only_by_the_ICD_region_character_is_decided_by_the_thoracic_one",
            () => Base().Without("Condition/fracture").Condition("M48.54XA", onset: "2026-10-01", id: "fracture").Condition("M48.56XA", onset: "2026-03-20", id: "old-lumbar").Condition("M81.0"),
            Covered, (TreatedLevel, "met"), (OnsetWindow, "met"));

        // 22511 is lumbosacral: L or S. "(one thoracic fracture, one sacral)" is the model's own example.
        yield return new("Lumbar_and_sacral_fractures_with_a_lumbosacral_vertebroplasty_is_conditional_on_the_treated_level",
            () => LumbarBase().LesionAt("M80.08XA", "S1", "2026-10-01", "sacral"), Conditional, (TreatedLevel, "unknown"))
        {
            Orders = () => [Order("22511")],
        };
        yield return new("Lumbosacral_vertebroplasty_with_bodySite_S1_at_the_sacral_fracture_is_not_covered",
            () => LumbarBase().LesionAt("M80.08XA", "S1", "2026-10-01", "sacral"), NotCovered, (SacrumCoccyx, "present"))
        {
            Orders = () => [Order("22511").AtLevel("S1")],
        };
        yield return new("Lumbosacral_vertebroplasty_with_bodySite_L1_beside_a_sacral_fracture_is_covered",
            () => LumbarBase().LesionAt("M80.08XA", "S1", "2026-10-01", "sacral"), Covered, (TreatedLevel, "met"), (SacrumCoccyx, "ruled-out"))
        {
            Orders = () => [Order("22511").AtLevel("L1")],
        };

        yield return new("Fracture_level_written_only_as_bodySite_text_L1_is_a_lumbar_lesion",
            () => LumbarBase().Without("Condition/fracture").LesionAt("M80.08XA", "L1", "2026-10-01", "fracture", siteCode: ""), Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22514")],
        };

        // The treated level is named, but nothing is documented there: every per-lesion criterion is judged for the
        // lesion at the treated level, and there is none.
        yield return new("Order_bodySite_naming_a_level_without_a_documented_lesion_is_conditional_with_the_indication_unknown",
            () => BaseAt("T12"), Conditional, (Indication, "unknown"))
        {
            Orders = () => [Order("22513").AtLevel("T4")],
        };

        // CPT region T (22513) holds no lesion at all: never decided on the lumbar lesion's merits.
        yield return new("Lumbar_fracture_only_with_a_thoracic_kyphoplasty_code_is_not_covered_on_the_spot", LumbarBase, NeverCovered);
    }
}
