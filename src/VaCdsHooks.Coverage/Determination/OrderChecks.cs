using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Determination;

/// <summary>An order consistency problem: a warning card ("adjust order"), never a denial.</summary>
public sealed record OrderProblem(string Code, InScopeOrder Order, string Summary, string Detail);

/// <summary>The decision model's order checks: add-on code without its primary, CPT region vs lesion region.</summary>
public static class OrderChecks
{
    public static IReadOnlyList<OrderProblem> Check(ClinicalFacts facts, IReadOnlyList<InScopeOrder> orders)
    {
        var problems = new List<OrderProblem>();
        var vs = facts.ValueSets;
        var families = new[]
        {
            (AddOn: vs["vertebroplasty-add-on-procedures"], Primary: vs["vertebroplasty-primary-procedures"]),
            (AddOn: vs["kyphoplasty-add-on-procedures"], Primary: vs["kyphoplasty-primary-procedures"]),
        };

        foreach (var order in orders)
        {
            foreach (var (addOn, primary) in families)
            {
                if (addOn.Contains(order.Procedure) && !orders.Any(o => primary.Contains(o.Procedure)))
                {
                    var primaries = string.Join(" or ", primary.EnumeratedCodes(CodeSystems.Cpt));
                    if (orders.FirstOrDefault(o => !o.IsAddOn && o.Family != order.Family) is { } other)
                    {
                        problems.Add(new OrderProblem(
                            CriterionCodes.AddOnWithoutPrimary,
                            order,
                            $"Add-on code {order.ProcedureCode} belongs to the other procedure than CPT {other.ProcedureCode}.",
                            $"CPT {order.ProcedureCode} ({order.ProcedureLabel}) is the add-on of {primaries}, but the order's primary procedure is CPT {other.ProcedureCode} ({other.ProcedureLabel}). Each additional vertebral body is ordered with the add-on of the same procedure; this line cannot be approved as ordered (`{order.Reference}`)."));
                        continue;
                    }

                    problems.Add(new OrderProblem(
                        CriterionCodes.AddOnWithoutPrimary,
                        order,
                        $"Add-on code {order.ProcedureCode} is ordered without its primary procedure ({primaries}).",
                        $"CPT {order.ProcedureCode} ({order.ProcedureLabel}) is an add-on code for each additional vertebral body and is reported only with its primary procedure, CPT {primaries}, in the same order set. Add the primary procedure for the first vertebral body, or change this order to it (`{order.Reference}`)."));
                }
            }

            if (RegionMismatch(facts, order) is { } mismatch)
            {
                problems.Add(mismatch);
            }
        }

        return problems;
    }

    private static OrderProblem? RegionMismatch(ClinicalFacts facts, InScopeOrder order)
    {
        var procedureRegions = order.CptRegions;
        if (procedureRegions.Count == 0)
        {
            return null;
        }

        // Most calls have a lesion in the CPT code's region: no set is built for them.
        SortedSet<SpinalRegion>? lesionRegions = null;
        foreach (var lesion in facts.Lesions)
        {
            if (lesion.Level is { Region: var region })
            {
                if (procedureRegions.Contains(region))
                {
                    return null;
                }

                (lesionRegions ??= []).Add(region);
            }
        }

        if (lesionRegions is null)
        {
            return null;
        }

        var cptRegions = string.Join("/", procedureRegions.Order().Select(r => r.Describe()));
        var documented = string.Join(" and ", lesionRegions.Select(r => r.Describe()));
        return new OrderProblem(
            CriterionCodes.RegionMismatch,
            order,
            $"CPT {order.ProcedureCode} is for the {cptRegions} spine, but the documented lesion is {documented}.",
            $"CPT {order.ProcedureCode} ({order.ProcedureLabel}) names the {cptRegions} spine, while the coded lesion is in the {documented} spine. Check the level to be treated and choose the CPT code for that region (`{order.Reference}`).");
    }
}
