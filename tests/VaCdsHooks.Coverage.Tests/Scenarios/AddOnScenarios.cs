using VaCdsHooks.Coverage.Tests.Support;
using static VaCdsHooks.Coverage.Tests.Scenarios.V2;

namespace VaCdsHooks.Coverage.Tests.Scenarios;

/// <summary>
/// "Each add-on unit (22512 with 22510/22511, 22515 with 22513/22514) is one more distinct level; a 22512 beside a
/// kyphoplasty code (or 22515 beside a vertebroplasty code) is an order problem, and that add-on is never covered."
/// "Fewer documented qualifying lesions than ordered levels leaves the extra add-on conditional (document the level);
/// a lesion already used by one order line cannot qualify another."
/// </summary>
public class AddOnScenarios
{
    private const string Primary = "ServiceRequest/sr-22513";
    private const string AddOn = "ServiceRequest/sr-22515";

    internal static readonly Dictionary<string, V2Scenario> Table = Index(Build());

    public static TheoryData<ScenarioName> Names => Rows(Table);

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario(ScenarioName name) => Check(Table[name.Value]);

    private static Chart OneLesion() => BaseAt("T12");

    private static Chart TwoNew() => BaseAt("T12").LesionAt("M80.08XA", "T11", "2026-10-01", "second");

    private static Chart ThreeNew() => TwoNew().LesionAt("M80.08XA", "T10", "2026-10-01", "third");

    private static Chart NewAndOld() => BaseAt("T12").LesionAt("M80.08XA", "T11", "2026-03-20", "old-fracture");

    private static IEnumerable<V2Scenario> Build()
    {
        yield return new("Add_on_with_one_documented_lesion_is_conditional_on_its_level", OneLesion, Conditional, (TreatedLevel, "unknown"))
        {
            Orders = () => [Order("22513"), Order("22515")],
            OrderReference = AddOn,
        };
        yield return new("Primary_line_beside_an_add_on_with_one_documented_lesion_is_decided_normally", OneLesion, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513"), Order("22515")],
            OrderReference = Primary,
        };
        yield return new("Add_on_with_two_qualifying_lesions_is_covered", TwoNew, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513"), Order("22515")],
            OrderReference = AddOn,
        };
        yield return new("Primary_line_with_two_qualifying_lesions_and_an_add_on_is_covered", TwoNew, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513"), Order("22515")],
            OrderReference = Primary,
        };

        // Cross-family add-ons.
        yield return new("Vertebroplasty_add_on_22512_beside_a_kyphoplasty_22513_is_never_covered", TwoNew, NeverCovered)
        {
            Orders = () => [Order("22513"), Order("22512")],
            OrderReference = "ServiceRequest/sr-22512",
        };
        yield return new("Kyphoplasty_add_on_22515_beside_a_vertebroplasty_22510_is_never_covered", TwoNew, NeverCovered)
        {
            Orders = () => [Order("22510"), Order("22515")],
            OrderReference = AddOn,
        };

        // quantity = number of additional levels.
        yield return new("Add_on_for_two_levels_with_only_two_lesions_in_total_is_conditional", TwoNew, Conditional, (TreatedLevel, "unknown"))
        {
            Orders = () => [Order("22513"), Order("22515").Levels(2)],
            OrderReference = AddOn,
        };
        yield return new("Add_on_for_two_levels_with_three_qualifying_lesions_is_covered", ThreeNew, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513"), Order("22515").Levels(2)],
            OrderReference = AddOn,
        };

        // Same family, both regions.
        yield return new("Vertebroplasty_add_on_22512_with_22510_and_two_qualifying_thoracic_lesions_is_covered", TwoNew, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22510"), Order("22512")],
            OrderReference = "ServiceRequest/sr-22512",
        };
        yield return new("Vertebroplasty_add_on_22512_with_22511_and_two_qualifying_lumbar_lesions_is_covered",
            () => LumbarBase().LesionAt("M80.08XA", "L2", "2026-10-01", "second"), Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22511"), Order("22512")],
            OrderReference = "ServiceRequest/sr-22512",
        };

        // "a lesion already used by one order line cannot qualify another".
        yield return new("Add_on_naming_the_lesion_the_primary_line_names_is_conditional", TwoNew, Conditional, (TreatedLevel, "unknown"))
        {
            Orders = () => [Order("22513").For("fracture"), Order("22515").For("fracture")],
            OrderReference = AddOn,
        };
        yield return new("Add_on_at_the_same_bodySite_level_as_the_primary_line_is_conditional", TwoNew, Conditional, (TreatedLevel, "unknown"))
        {
            Orders = () => [Order("22513").AtLevel("T12"), Order("22515").AtLevel("T12")],
            OrderReference = AddOn,
        };
        yield return new("Add_on_with_its_own_bodySite_at_a_second_new_fracture_is_covered", TwoNew, Covered, (TreatedLevel, "met"))
        {
            Orders = () => [Order("22513").AtLevel("T12"), Order("22515").AtLevel("T11")],
            OrderReference = AddOn,
        };

        // Each line is judged on its own level.
        yield return new("Add_on_with_bodySite_at_an_eight_month_old_fracture_is_not_covered", NewAndOld, NotCovered, (OnsetWindow, "not-met"))
        {
            Orders = () => [Order("22513").AtLevel("T12"), Order("22515").AtLevel("T11")],
            OrderReference = AddOn,
        };
        yield return new("Primary_line_at_the_new_fracture_beside_an_add_on_at_the_old_one_is_covered", NewAndOld, Covered, (OnsetWindow, "met"))
        {
            Orders = () => [Order("22513").AtLevel("T12"), Order("22515").AtLevel("T11")],
            OrderReference = Primary,
        };
    }
}
