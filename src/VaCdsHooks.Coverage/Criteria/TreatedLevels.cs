using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Terminology;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Finds the treated vertebral body of every unit of every order line (decision model, Version 2): the level the
/// order names (<c>bodySite</c>), else the lesion its reason names, else the level the surgeon answered, else the
/// lesions in the CPT code's region. Each add-on unit is one more distinct level of the same family's region; a
/// lesion claimed by one unit cannot qualify another. Lines that name their level are planned first.
/// </summary>
public static class TreatedLevels
{
    public static IReadOnlyDictionary<string, IReadOnlyList<TreatedUnit>> Plan(ClinicalFacts facts, IReadOnlyList<InScopeOrder> orders)
    {
        var plan = new Dictionary<string, IReadOnlyList<TreatedUnit>>(orders.Count, StringComparer.Ordinal);
        var claimed = new HashSet<Lesion>();
        var pooled = new Dictionary<string, int>(StringComparer.Ordinal);
        var answered = new Queue<VertebralLevel>(AnsweredLevels(facts));

        foreach (var order in InPlanningOrder(orders))
        {
            if (SharesPlan(order, orders))
            {
                continue;
            }

            var regions = order.CptRegions;
            if (order.IsAddOn)
            {
                if (PrimaryRegions(order, orders) is not { } primaryRegions)
                {
                    plan[order.Reference] = Enumerable.Repeat(AddOnWithoutPrimary(order, orders), order.Units).ToList();
                    continue;
                }

                regions = primaryRegions;
            }

            var units = new List<TreatedUnit>(order.Units);
            for (var unit = 0; unit < order.Units; unit++)
            {
                units.Add(PlanUnit(facts, order, unit, regions, claimed, pooled, answered));
            }

            plan[order.Reference] = units;
        }

        // An appointment booked for an order in the same call treats that order's levels.
        foreach (var order in orders)
        {
            if (SharesPlan(order, orders))
            {
                plan[order.Reference] = plan[order.SameProcedureAs!];
            }
        }

        return plan;
    }

    /// <summary>Lines that name their level (or lesion) first, primaries before add-ons; otherwise in the order given.</summary>
    private static IReadOnlyList<InScopeOrder> InPlanningOrder(IReadOnlyList<InScopeOrder> orders) =>
        orders.Count <= 1 ? orders : orders.OrderBy(PlanningRank).ToList();

    private static int PlanningRank(InScopeOrder order) =>
        (order.NamedLevels.Count > 0 || order.ReasonReferences.Count > 0 || order.ReasonCodes.Count > 0 ? 0 : 2) + (order.IsAddOn ? 1 : 0);

    private static bool SharesPlan(InScopeOrder order, IReadOnlyList<InScopeOrder> orders)
    {
        if (order.SameProcedureAs is not { } other)
        {
            return false;
        }

        foreach (var candidate in orders)
        {
            if (candidate.Reference == other && candidate.SameProcedureAs is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The regions of the primary codes of the add-on's own family; null when the order has no such primary.</summary>
    private static HashSet<SpinalRegion>? PrimaryRegions(InScopeOrder addOn, IReadOnlyList<InScopeOrder> orders)
    {
        HashSet<SpinalRegion>? regions = null;
        foreach (var order in orders)
        {
            if (order.Family == addOn.Family && !order.IsAddOn)
            {
                (regions ??= []).UnionWith(order.CptRegions);
            }
        }

        return regions;
    }

    private static TreatedUnit PlanUnit(
        ClinicalFacts facts, InScopeOrder order, int unit, IReadOnlySet<SpinalRegion> regions, HashSet<Lesion> claimed, Dictionary<string, int> pooled, Queue<VertebralLevel> answered)
    {
        var free = Unclaimed(facts.Lesions, claimed);
        if (unit < order.NamedLevels.Count)
        {
            var named = order.NamedLevels[unit];
            var atNamed = Named(free, named);
            if (atNamed.Count == 0 && claimed.Count > 0 && Named([.. claimed], named) is { Count: > 0 } taken)
            {
                return AlreadyTreated(order, named.Label, taken);
            }

            return Claim(atNamed, TreatedLevelBasis.NamedOnOrder, named, $"The order names {named.Label} as the treated level.", claimed);
        }

        if (unit == 0 && (order.ReasonReferences.Count > 0 || order.ReasonCodes.Count > 0))
        {
            var byReason = NamedByReason(free, order);
            if (byReason.Count > 0)
            {
                return Claim(byReason, TreatedLevelBasis.OrderReason, byReason.Count == 1 ? byReason[0].Level : null, "The order's reason names the treated lesion.", claimed);
            }

            if (claimed.Count > 0 && NamedByReason([.. claimed], order) is { Count: > 0 } taken)
            {
                return AlreadyTreated(order, "the lesion its reason names", taken);
            }
        }

        if (answered.Count > 0 && order.NamedLevels.Count == 0)
        {
            var level = answered.Dequeue();
            return Claim(Named(free, level), TreatedLevelBasis.Answered, level, $"The treated level is documented as {level.Label}.", claimed);
        }

        var inRegion = new List<Lesion>(free.Count);
        foreach (var lesion in free)
        {
            if (lesion.Level is not { } level || regions.Contains(level.Region))
            {
                inRegion.Add(lesion);
            }
        }

        var ordered = InOrder(regions);
        if (inRegion.Count > 1)
        {
            // Units that may be any of several lesions each take one from the pool, so a pool cannot serve more units than it has lesions.
            var poolKey = string.Join(",", ordered);
            var served = pooled.GetValueOrDefault(poolKey);
            if (served >= inRegion.Count && (order.IsAddOn || unit > 0))
            {
                inRegion = [];
            }
            else
            {
                pooled[poolKey] = served + 1;
            }
        }

        var regionLevel = ordered.Count == 1 ? new VertebralLevel(ordered[0], null) : (VertebralLevel?)null;
        var regionText = ordered.Count == 0 ? "the CPT code's region" : "the " + string.Join("/", ordered.Select(r => r.Describe())) + " spine";
        if (inRegion.Count == 0)
        {
            if (order.IsAddOn || unit > 0 || AnyLesionIn(facts.Lesions, regions))
            {
                return new TreatedUnit(
                    TreatedLevelBasis.NoDistinctLevel,
                    regionLevel,
                    [],
                    $"CPT {order.ProcedureCode} stands for one more vertebral body, but no other documented lesion in {regionText} qualifies it (each level needs its own); document the additional level.");
            }

            return new TreatedUnit(TreatedLevelBasis.NoLesion, regionLevel, [], $"CPT {order.ProcedureCode} treats a vertebral body in {regionText}; no lesion there is documented.");
        }

        return Claim(inRegion, TreatedLevelBasis.OnlyLesionInRegion, regionLevel, inRegion.Count == 1
            ? $"{inRegion[0].Describe()} is the only documented lesion in {regionText}."
            : $"{inRegion.Count} documented lesions lie in {regionText}: " + string.Join(", ", inRegion.Select(l => l.Describe())) + ".", claimed);
    }

    private static IReadOnlyList<Lesion> Unclaimed(IReadOnlyList<Lesion> lesions, HashSet<Lesion> claimed)
    {
        if (claimed.Count == 0)
        {
            return lesions;
        }

        var free = new List<Lesion>(lesions.Count);
        foreach (var lesion in lesions)
        {
            if (!claimed.Contains(lesion))
            {
                free.Add(lesion);
            }
        }

        return free;
    }

    private static bool AnyLesionIn(IReadOnlyList<Lesion> lesions, IReadOnlySet<SpinalRegion> regions)
    {
        foreach (var lesion in lesions)
        {
            if (lesion.Level is { } level && regions.Contains(level.Region))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly SpinalRegion[] AllRegions = Enum.GetValues<SpinalRegion>();

    /// <summary>The regions in the spine's order (cervical first), for sentences and keys that must not depend on set order.</summary>
    private static List<SpinalRegion> InOrder(IReadOnlySet<SpinalRegion> regions)
    {
        var ordered = new List<SpinalRegion>(regions.Count);
        foreach (var region in AllRegions)
        {
            if (regions.Contains(region))
            {
                ordered.Add(region);
            }
        }

        return ordered;
    }

    private static TreatedUnit AlreadyTreated(InScopeOrder order, string what, IReadOnlyList<Lesion> taken) => new(
        TreatedLevelBasis.NoDistinctLevel,
        taken[0].Level,
        [],
        $"CPT {order.ProcedureCode} names {what} ({string.Join(", ", taken.Select(t => t.Describe()))}), which another line of the order already treats; each vertebral body is one unit.");

    /// <summary>The lesions at the vertebra named, else those that may be at it (placed only in its region).</summary>
    private static List<Lesion> Named(IReadOnlyList<Lesion> lesions, VertebralLevel named)
    {
        var atLevel = new List<Lesion>();
        foreach (var lesion in lesions)
        {
            if (lesion.Level is { IsExact: true } level && level == named)
            {
                atLevel.Add(lesion);
            }
        }

        if (atLevel.Count > 0)
        {
            return atLevel;
        }

        foreach (var lesion in lesions)
        {
            if (lesion.Level is { } level && level.MayBe(named))
            {
                atLevel.Add(lesion);
            }
        }

        return atLevel;
    }

    /// <summary>The lesions the order's reason names: a <c>reasonReference</c> to a resource behind them, or a <c>reasonCode</c> one of their findings carries.</summary>
    private static List<Lesion> NamedByReason(IReadOnlyList<Lesion> lesions, InScopeOrder order)
    {
        var named = new List<Lesion>();
        foreach (var lesion in lesions)
        {
            if (IsReasonFor(order, lesion))
            {
                named.Add(lesion);
            }
        }

        return named;
    }

    private static bool IsReasonFor(InScopeOrder order, Lesion lesion)
    {
        foreach (var reference in order.ReasonReferences)
        {
            if (lesion.IsRecordedIn(reference))
            {
                return true;
            }
        }

        foreach (var finding in lesion.Findings)
        {
            foreach (var reason in order.ReasonCodes)
            {
                foreach (var coding in reason.Coding)
                {
                    if (Carries(finding.Concept, coding))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool Carries(CodeableConcept concept, Coding coding)
    {
        foreach (var own in concept.Coding)
        {
            if (own.System == coding.System && own.Code == coding.Code)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One candidate is claimed; several stay open (the evaluator decides whether they decide alike).</summary>
    private static TreatedUnit Claim(IReadOnlyList<Lesion> candidates, TreatedLevelBasis basis, VertebralLevel? level, string note, HashSet<Lesion> claimed)
    {
        if (candidates.Count == 1)
        {
            claimed.Add(candidates[0]);
        }

        return new TreatedUnit(basis, level, candidates, candidates.Count == 0 ? note + " No lesion is documented there." : note);
    }

    private static TreatedUnit AddOnWithoutPrimary(InScopeOrder order, IReadOnlyList<InScopeOrder> orders)
    {
        var other = orders.FirstOrDefault(o => o.Family != order.Family && !o.IsAddOn);
        var own = order.Family == ProcedureFamily.Kyphoplasty ? "22513 or 22514" : "22510 or 22511";
        var note = other is not null
            ? $"CPT {order.ProcedureCode} is the add-on of the other procedure family than CPT {other.ProcedureCode}; an additional vertebral body is billed with the add-on of the same family. This add-on cannot be approved as ordered."
            : $"CPT {order.ProcedureCode} is an add-on for each additional vertebral body and needs its primary procedure ({own}) in the same order.";
        return new TreatedUnit(TreatedLevelBasis.AddOnWithoutPrimary, null, [], note);
    }

    /// <summary>Levels the surgeon answered (the treated-level question), in the order written.</summary>
    private static IReadOnlyList<VertebralLevel> AnsweredLevels(ClinicalFacts facts)
    {
        var answer = facts.Attested(FindingCodes.TreatedLevel);
        if (answer is null)
        {
            return [];
        }

        var text = answer.TextAnswer ?? answer.CodedAnswer?.Display ?? answer.CodedAnswer?.Code;
        return VertebralLevel.ParseAll(text);
    }
}
