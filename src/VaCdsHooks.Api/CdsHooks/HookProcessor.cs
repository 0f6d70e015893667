using System.Diagnostics;
using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Ehr;
using VaCdsHooks.Api.Telemetry;
using VaCdsHooks.Storage;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>What a hook call produced: the response bytes and the assertions made.</summary>
/// <param name="RecordBundle">The chart as a FHIR Bundle, when documentation was requested (see <see cref="Dtr.StoredChart"/>).</param>
public sealed record HookOutcome(byte[] ResponseJson, IReadOnlyList<CoverageAssertion> Assertions, string? RecordBundle);

/// <summary>
/// Assemble the record, decide, answer. Anything the EHR could not give us becomes a sentence on a card,
/// and a failure inside the decision becomes an informative card, never a 5xx.
/// </summary>
public sealed partial class HookProcessor(
    PatientRecordAssembler assembler,
    ICoverageAdvisor advisor,
    CoveragePolicy policy,
    IAssertionIdSource ids,
    IPriorAuthCaseStore cases,
    TimeProvider time,
    HookMetrics metrics,
    ILogger<HookProcessor> logger)
{
    public async Task<HookOutcome> AnswerAsync(HookCall call, bool fhirServerAllowed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var assembled = await assembler.AssembleAsync(call, fhirServerAllowed, cancellationToken);
        var inScope = assembled.Orders.Where(advisor.IsInScope).ToList();
        var decisions = await PriorDecisionsAsync(call.PatientId, inScope, cancellationToken);

        CoverageAnswer answer;
        var decisionFailed = false;
        try
        {
            answer = advisor.Advise(new CoverageRequest(call.Service.Hook, assembled.Record, assembled.Orders, time.GetUtcNow(), call.Options, decisions));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The EHR still gets an answer; the failure is ours to fix, not the surgeon's.
            LogAdviceFailed(logger, ex, call.Request.HookInstance);
            decisionFailed = true;
            var response = new CrdResponse { SystemActions = call.Service.IsPrimary ? [] : null };
            CoverageCards.Add(response, call.Options, Cards.TechnicalProblemCard());
            answer = new CoverageAnswer(response, []);
        }

        if (assembled.UnreadableOrders.Count > 0)
        {
            CoverageCards.Add(answer.Response, call.Options, Cards.UnreadableOrdersCard(assembled.UnreadableOrders));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(answer.Response, CdsHooksJson.Options);
        var chart = answer.Assertions.Any(a => a.DocNeeded is not null) ? StoredChart.Write(assembled.Record, inScope) : null;
        metrics.HookAnswered(call, answer.Assertions, decisionFailed, Stopwatch.GetElapsedTime(started));
        return new HookOutcome(json, answer.Assertions, chart);
    }

    /// <summary>Decisions already made on these orders (approved or denied cases) and documentation still under review; one indexed lookup per in-scope order.</summary>
    private async Task<IReadOnlyList<PriorDecision>> PriorDecisionsAsync(string patientId, List<Resource> orders, CancellationToken cancellationToken)
    {
        if (orders.Count == 0)
        {
            return [];
        }

        var decisions = new List<PriorDecision>();
        foreach (var order in orders)
        {
            var orderReference = order.TypeName + "/" + order.Id;
            var found = await cases.FindLatestForOrderAsync("Patient/" + patientId, orderReference, cancellationToken);
            if (found is { Status: PriorAuthCaseStatus.Processing or PriorAuthCaseStatus.PendingReview })
            {
                decisions.Add(PriorDecision.Pending(orderReference, found.UpdatedAt, found.Status.ToCode()));
            }
            else if (found is { Status: PriorAuthCaseStatus.Approved or PriorAuthCaseStatus.Denied })
            {
                decisions.Add(new PriorDecision(
                    orderReference,
                    found.Status == PriorAuthCaseStatus.Approved,
                    found.PriorAuthNumber,
                    found.PriorAuthExpiresOn,
                    found.UpdatedAt,
                    found.DeterminationSummary));
            }
        }

        return decisions;
    }

    /// <summary>The host's cards come from the same builder as the engine's: one card type system, one source label.</summary>
    private CoverageCards Cards => new(policy, ids);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hook {HookInstance}: the coverage decision failed; answered with an informative card")]
    private static partial void LogAdviceFailed(ILogger logger, Exception exception, string? hookInstance);
}
