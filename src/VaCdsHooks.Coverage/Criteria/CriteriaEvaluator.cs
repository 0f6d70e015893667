using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Lesions;
using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Coverage.Criteria;

/// <summary>
/// Runs every criterion for the treated vertebra of each order unit (<see cref="TreatedLevels"/>), inclusions
/// first, in the decision model's order. When a unit may be one of several lesions, each is decided; if they
/// would be decided differently, the criteria that differ are unknown and the treated level must be
/// documented (never the most favourable lesion). Record gaps apply last: a template the EHR could not give
/// makes results that rest on the absence of its evidence unknown, and says so.
/// </summary>
public static class CriteriaEvaluator
{
    private static readonly TreatedLevelCriterion TreatedLevel = new();

    /// <summary>The policy's criteria, in the order cards list them. Everything else about them is derived from here.</summary>
    public static IReadOnlyList<ICoverageCriterion> All { get; } =
    [
        TreatedLevel,
        new IndicationCriterion(),
        new RegionCriterion(),
        new OnsetWindowCriterion(),
        new PainImpairmentCriterion(),
        new FailedOptimalMedicalTherapyCriterion(),
        new ImagingRuledOutCriterion(),
        new CordCompressionExclusion(),
        new SevereCollapseExclusion(),
        new HealedFractureExclusion(),
        new SacrumCoccyxExclusion(),
        new AsymptomaticExclusion(),
        new RespondingToTherapyExclusion(),
    ];

    /// <summary>Criterion results for each order line, by <see cref="InScopeOrder.Reference"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<CriterionResult>> EvaluateAll(ClinicalFacts facts, IReadOnlyList<InScopeOrder> orders)
    {
        var plan = TreatedLevels.Plan(facts, orders);
        var results = new Dictionary<string, IReadOnlyList<CriterionResult>>(orders.Count, StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var units = plan[order.Reference];
            var line = units.Count == 1 ? EvaluateUnit(facts, order, units[0]) : Merge(EvaluateEach(facts, order, units));
            results[order.Reference] = facts.Record.Gaps.Count == 0 ? line : line.Select(r => ApplyGaps(Find(r.CriterionId), r, facts.Record)).ToList();
        }

        return results;
    }

    /// <summary>Criterion results for one order line decided on its own.</summary>
    public static IReadOnlyList<CriterionResult> Evaluate(ClinicalFacts facts, InScopeOrder order) => EvaluateAll(facts, [order])[order.Reference];

    /// <summary>
    /// The episode of an order's first unit when its treated lesion is determined (one candidate, or none); null
    /// when several lesions remain possible.
    /// </summary>
    public static Episode? EpisodeOf(ClinicalFacts facts, InScopeOrder order)
    {
        var unit = TreatedLevels.Plan(facts, [order])[order.Reference][0];
        return unit.Candidates.Count <= 1 ? new Episode(facts, order, unit.Candidates.FirstOrDefault(), unit) : null;
    }

    private static List<IReadOnlyList<CriterionResult>> EvaluateEach(ClinicalFacts facts, InScopeOrder order, IReadOnlyList<TreatedUnit> units)
    {
        var results = new List<IReadOnlyList<CriterionResult>>(units.Count);
        foreach (var unit in units)
        {
            results.Add(EvaluateUnit(facts, order, unit));
        }

        return results;
    }

    private static IReadOnlyList<CriterionResult> EvaluateUnit(ClinicalFacts facts, InScopeOrder order, TreatedUnit unit)
    {
        if (unit.Candidates.Count <= 1)
        {
            return Run(facts, order, unit, unit.Candidates.Count == 1 ? unit.Candidates[0] : null);
        }

        var readings = new List<(Lesion Lesion, IReadOnlyList<CriterionResult> Results)>(unit.Candidates.Count);
        foreach (var lesion in unit.Candidates)
        {
            readings.Add((lesion, Run(facts, order, unit, lesion)));
        }

        var identical = readings.All(r => SameStatuses(r.Results, readings[0].Results));
        if (identical)
        {
            return readings[0].Results;
        }

        // Only lesions that decide differently are named with their outcomes.
        var outcomes = readings.Select(r => (r.Lesion, Determination: DeterminationRules.Decide(r.Results))).ToList();

        var merged = Merge(readings.Select(r => r.Results).ToList());
        var ambiguity = TreatedLevel.Ambiguous(order, outcomes.Select(o => (o.Lesion, Describe(o.Determination))).ToList());
        return merged.Select(r => r.CriterionId == TreatedLevel.Id ? ambiguity : r).ToList();
    }

    private static IReadOnlyList<CriterionResult> Run(ClinicalFacts facts, InScopeOrder order, TreatedUnit unit, Lesion? lesion)
    {
        var context = new CriterionContext(facts, order, new Episode(facts, order, lesion, unit));
        var results = new List<CriterionResult>(All.Count);
        foreach (var criterion in All)
        {
            results.Add(criterion.Evaluate(context));
        }

        return results;
    }

    /// <summary>
    /// One result per criterion over several readings (lesions, or units of one line): kept where they agree;
    /// unknown where they differ, with every reading's sentence.
    /// </summary>
    private static IReadOnlyList<CriterionResult> Merge(IReadOnlyList<IReadOnlyList<CriterionResult>> readings)
    {
        var merged = new List<CriterionResult>();
        for (var i = 0; i < readings[0].Count; i++)
        {
            var all = readings.Select(r => r[i]).ToList();
            if (all.All(r => r.Status == all[0].Status))
            {
                merged.Add(all.Skip(1).Aggregate(all[0], (a, b) => a with
                {
                    Explanation = a.Explanation.Contains(b.Explanation, StringComparison.Ordinal) ? a.Explanation : a.Explanation + " " + b.Explanation,
                    Evidence = a.Evidence.Concat(b.Evidence).Distinct().ToList(),
                    Flags = a.Flags.Concat(b.Flags).Distinct().ToList(),
                }));
                continue;
            }

            merged.Add(all[0] with
            {
                Status = CriterionStatus.Unknown,
                Explanation = "Depends on the treated level: " + string.Join(" ", all.Select(r => r.Explanation).Distinct()),
                Evidence = all.SelectMany(r => r.Evidence).Distinct().ToList(),
                Flags = all.SelectMany(r => r.Flags).Append(CriterionFlags.DependsOnTreatedLevel).Distinct().ToList(),
            });
        }

        return merged;
    }

    private static bool SameStatuses(IReadOnlyList<CriterionResult> a, IReadOnlyList<CriterionResult> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Status == p.Second.Status);

    private static string Describe(CoverageDetermination determination) => determination.Outcome switch
    {
        CoverageOutcome.Covered => "covered",
        CoverageOutcome.NotCovered => "not covered (" + determination.ShortReason + ")",
        _ => "conditional (" + determination.ShortReason + ")",
    };

    private static ICoverageCriterion Find(string id) => All.First(c => c.Id == id);

    internal static CriterionResult ApplyGaps(ICoverageCriterion criterion, CriterionResult result, PatientRecord record)
    {
        if (record.Gaps.Count == 0)
        {
            return result;
        }

        var gaps = record.Gaps.Where(g => criterion.ReadsResourceTypes.Contains(g.ResourceType)).ToList();
        if (gaps.Count == 0 || result.Status == CriterionStatus.Met)
        {
            return result;
        }

        var sentence = " The EHR could not provide " + string.Join("; ", gaps.Select(g => $"{g.ResourceType} data ({g.Reason.TrimEnd('.')})")) + ".";
        return result with
        {
            Status = CriterionStatus.Unknown,
            Explanation = result.Explanation + sentence,
            Flags = result.Flags.Append("record-gap").ToList(),
        };
    }
}
