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
        var plan = new Dictionary<string, IReadOnlyList<TreatedUnit>>(StringComparer.Ordinal);
        var claimed = new HashSet<Lesion>();
        var pooled = new Dictionary<string, int>(StringComparer.Ordinal);
        var answered = AnsweredLevels(facts);
        var ordered = orders
            .OrderBy(o => o.NamedLevels.Count > 0 || o.ReasonReferences.Count > 0 || o.ReasonCodes.Count > 0 ? 0 : 1)
            .ThenBy(o => o.IsAddOn ? 1 : 0)
            .ToList();
        var answeredQueue = new Queue<VertebralLevel>(answered);

        foreach (var order in ordered.Where(o => !SharesPlan(o, orders)))
        {
            var primaries = orders.Where(o => o.Family == order.Family && !o.IsAddOn).ToList();
            if (order.IsAddOn && primaries.Count == 0)
            {
                plan[order.Reference] = Enumerable.Repeat(AddOnWithoutPrimary(order, orders), order.Units).ToList();
                continue;
            }

            var regions = order.IsAddOn ? primaries.SelectMany(p => p.CptRegions).ToHashSet() : order.CptRegions.ToHashSet();
            var units = new List<TreatedUnit>();
            for (var unit = 0; unit < order.Units; unit++)
            {
                units.Add(PlanUnit(facts, order, unit, regions, claimed, pooled, answeredQueue));
            }

            plan[order.Reference] = units;
        }

        // An appointment booked for an order in the same call treats that order's levels.
        foreach (var order in orders.Where(o => SharesPlan(o, orders)))
        {
            plan[order.Reference] = plan[order.SameProcedureAs!];
        }

        return plan;
    }

    private static bool SharesPlan(InScopeOrder order, IReadOnlyList<InScopeOrder> orders) =>
        order.SameProcedureAs is { } other && orders.Any(o => o.Reference == other && o.SameProcedureAs is null);

    private static TreatedUnit PlanUnit(
        ClinicalFacts facts, InScopeOrder order, int unit, HashSet<SpinalRegion> regions, HashSet<Lesion> claimed, Dictionary<string, int> pooled, Queue<VertebralLevel> answered)
    {
        var free = facts.Lesions.Where(l => !claimed.Contains(l)).ToList();
        if (unit < order.NamedLevels.Count)
        {
            var named = order.NamedLevels[unit];
            var taken = Named(claimed.ToList(), named);
            if (taken.Count > 0 && Named(free, named).Count == 0)
            {
                return AlreadyTreated(order, named.Label, taken);
            }

            return Claim(Named(free, named), TreatedLevelBasis.NamedOnOrder, named, $"The order names {named.Label} as the treated level.", claimed);
        }

        if (unit == 0 && (order.ReasonReferences.Count > 0 || order.ReasonCodes.Count > 0))
        {
            bool Named(Lesion l) => l.References.Any(order.ReasonReferences.Contains)
                || l.Findings.Any(f => order.ReasonCodes.Any(r => r.Coding.Any(c => f.Concept.Coding.Any(x => x.System == c.System && x.Code == c.Code))));
            var byReason = free.Where(Named).ToList();
            if (byReason.Count > 0)
            {
                return Claim(byReason, TreatedLevelBasis.OrderReason, byReason.Count == 1 ? byReason[0].Level : null, "The order's reason names the treated lesion.", claimed);
            }

            var taken = claimed.Where(Named).ToList();
            if (taken.Count > 0)
            {
                return AlreadyTreated(order, "the lesion its reason names", taken);
            }
        }

        if (answered.Count > 0 && order.NamedLevels.Count == 0)
        {
            var level = answered.Dequeue();
            return Claim(Named(free, level), TreatedLevelBasis.Answered, level, $"The treated level is documented as {level.Label}.", claimed);
        }

        // Units that may be any of several lesions each take one from the pool, so a pool cannot serve more units than it has lesions.
        var inRegion = free.Where(l => l.Level is not { } level || regions.Contains(level.Region)).ToList();
        var poolKey = string.Join(",", regions.Order());
        if (inRegion.Count > 1 && pooled.GetValueOrDefault(poolKey) >= inRegion.Count && (order.IsAddOn || unit > 0))
        {
            inRegion = [];
        }
        else if (inRegion.Count > 1)
        {
            pooled[poolKey] = pooled.GetValueOrDefault(poolKey) + 1;
        }
        var regionLevel = regions.Count == 1 ? new VertebralLevel(regions.Single(), null) : (VertebralLevel?)null;
        var regionText = regions.Count == 0 ? "the CPT code's region" : "the " + string.Join("/", regions.Order().Select(r => r.Describe())) + " spine";
        if (inRegion.Count == 0)
        {
            var others = facts.Lesions.Where(l => l.Level is { } level && regions.Contains(level.Region)).ToList();
            if (order.IsAddOn || unit > 0 || others.Count > 0)
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

    private static TreatedUnit AlreadyTreated(InScopeOrder order, string what, List<Lesion> taken) => new(
        TreatedLevelBasis.NoDistinctLevel,
        taken[0].Level,
        [],
        $"CPT {order.ProcedureCode} names {what} ({string.Join(", ", taken.Select(t => t.Describe()))}), which another line of the order already treats; each vertebral body is one unit.");

    private static List<Lesion> Named(List<Lesion> free, VertebralLevel named)
    {
        var exact = free.Where(l => l.Level is { IsExact: true } level && level == named).ToList();
        return exact.Count > 0 ? exact : free.Where(l => l.Level is { } level && level.MayBe(named)).ToList();
    }

    /// <summary>One candidate is claimed; several stay open (the evaluator decides whether they decide alike).</summary>
    private static TreatedUnit Claim(List<Lesion> candidates, TreatedLevelBasis basis, VertebralLevel? level, string note, HashSet<Lesion> claimed)
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
