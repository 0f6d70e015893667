using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Determination;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Tests.Support;

/// <summary>Runs the engine the way the host does.</summary>
internal static class Engine
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 15, 30, 0, TimeSpan.Zero);

    public static CoverageAnswer Advise(Chart chart, params Resource[] orders) => Advise(chart, CrdHooks.OrderSign, orders);

    public static CoverageAnswer Advise(Chart chart, string hook, params Resource[] orders) =>
        Advise(TestPolicy.Default, chart, hook, CrdRequestOptions.Default, orders);

    public static CoverageAnswer Advise(CoveragePolicy policy, Chart chart, string hook, CrdRequestOptions options, params Resource[] orders) =>
        new CoverageAdvisor(policy, new SequentialIds()).Advise(new CoverageRequest(hook, chart.Record(), orders, Now, options));

    /// <summary>One criterion's result for a kyphoplasty (thoracic) order unless another order is given.</summary>
    public static CriterionResult Criterion<T>(Chart chart, CoveragePolicy? policy = null, ServiceRequest? order = null)
        where T : ICoverageCriterion
    {
        var criterion = CriteriaEvaluator.All.OfType<T>().Single();
        return Evaluate(chart, policy, order).Single(r => r.CriterionId == criterion.Id);
    }

    public static IReadOnlyList<CriterionResult> Evaluate(Chart chart, CoveragePolicy? policy = null, Resource? order = null)
    {
        policy ??= TestPolicy.Default;
        var scoped = OrderScope.Find(policy, [order ?? Orders.Procedure("22513")], Now).Single();
        return CriteriaEvaluator.Evaluate(ClinicalFacts.From(policy, chart.Record()), scoped);
    }

    public static CoverageDetermination Decide(Chart chart, CoveragePolicy? policy = null, Resource? order = null) =>
        DeterminationRules.Decide(Evaluate(chart, policy, order));
}
