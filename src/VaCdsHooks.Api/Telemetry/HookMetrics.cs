using System.Diagnostics;
using System.Diagnostics.Metrics;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Coverage;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Telemetry;

/// <summary>
/// What a hook call adds to traces and metrics: the hook instance id and hook name on the request's span, how long
/// the answer took, the determination made for each order, and how the hook log's writer keeps up (a queue that
/// grows means the database is slower than the hooks). Tag values are ids and codes from closed sets, never
/// anything about the patient.
/// </summary>
public sealed class HookMetrics
{
    public const string MeterName = "VaCdsHooks";
    public const string HookInstanceTag = "cds.hook_instance";
    public const string HookTag = "cds.hook";
    public const string OutcomeTag = "cds.outcome";
    public const string DecisionTag = "crd.decision";
    public const string DurationInstrument = "vacdshooks.hook.duration";
    public const string DecisionsInstrument = "vacdshooks.coverage.decisions";
    public const string HookLogWritesInstrument = "vacdshooks.hook_log.writes";
    public const string HookLogCommitsInstrument = "vacdshooks.hook_log.commits";
    public const string HookLogQueuedInstrument = "vacdshooks.hook_log.queued";
    public const string WriteOutcomeTag = "vacdshooks.write.outcome";

    /// <summary>The coverage decision failed and the EHR got a technical-problem card instead.</summary>
    public const string DecisionFailedOutcome = "decision-failed";
    public const string AnsweredOutcome = "answered";

    private static readonly string[] DecisionCodes = ["covered", "not-covered", "conditional"];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _decisions;

    public HookMetrics(IMeterFactory meters, IHookRecordWriterDiagnostics hookLog)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter(
            HookLogWritesInstrument,
            () =>
            {
                var statistics = hookLog.GetStatistics();
                return new[]
                {
                    new Measurement<long>(statistics.WritesCommitted, new KeyValuePair<string, object?>(WriteOutcomeTag, "committed")),
                    new Measurement<long>(statistics.WritesFailed, new KeyValuePair<string, object?>(WriteOutcomeTag, "failed")),
                };
            },
            unit: "{call}",
            description: "Hook calls whose log row and coverage assertions were committed, or failed to be.");
        meter.CreateObservableCounter(
            HookLogCommitsInstrument,
            () => hookLog.GetStatistics().Commits,
            unit: "{transaction}",
            description: "Transactions of the hook log's writer; fewer than the writes when concurrent calls share one.");
        meter.CreateObservableUpDownCounter(
            HookLogQueuedInstrument,
            () => hookLog.GetStatistics().Queued,
            unit: "{call}",
            description: "Hook calls waiting for the hook log's writer right now.");
        _duration = meter.CreateHistogram(
            DurationInstrument,
            unit: "s",
            description: "Time to answer a hook call: assembling the record, deciding and writing the cards.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _decisions = meter.CreateCounter<long>(
            DecisionsInstrument,
            unit: "{decision}",
            description: "Coverage determinations made in hook answers, one per order in scope.");
    }

    /// <summary>Records one answered hook call; called once per call by the hook processor.</summary>
    public void HookAnswered(HookCall call, IReadOnlyList<CoverageAssertion> assertions, bool decisionFailed, TimeSpan elapsed)
    {
        var hook = call.Service.Hook;

        // The request's own span (ASP.NET Core's), so a slow or failed call can be found by the id the EHR logged.
        Activity.Current?.SetTag(HookInstanceTag, Bounded(call.Request.HookInstance)).SetTag(HookTag, hook);

        _duration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>(HookTag, hook),
            new KeyValuePair<string, object?>(OutcomeTag, decisionFailed ? DecisionFailedOutcome : AnsweredOutcome));
        foreach (var assertion in assertions)
        {
            _decisions.Add(
                1,
                new KeyValuePair<string, object?>(HookTag, hook),
                new KeyValuePair<string, object?>(DecisionTag, DecisionCodes.Contains(assertion.Covered) ? assertion.Covered : "other"));
        }
    }

    // The hook instance is the EHR's UUID; a longer value is not one and must not swell every span.
    private static string? Bounded(string? value) => value is { Length: > 64 } ? value[..64] : value;
}
