using System.Diagnostics;
using System.Text.Json;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Ehr;
using VaCdsHooks.Api.Telemetry;
using VaCdsHooks.Api.Storage;
using VaCdsHooks.Storage;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.CdsHooks;
using VaCdsHooks.Coverage.Crd;
using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>What a hook call produced: the response bytes and the assertions made.</summary>
/// <param name="RecordBundle">The chart as a FHIR Bundle, when documentation was requested (see <see cref="Dtr.StoredChart"/>).</param>
/// <param name="Response">The answer <paramref name="ResponseJson"/> was serialized from.</param>
public sealed record HookOutcome(byte[] ResponseJson, IReadOnlyList<CoverageAssertion> Assertions, string? RecordBundle, CrdResponse Response)
{
    /// <summary>Whether the answer offers the documentation questionnaire (DTR), which needs the stored assertion later.</summary>
    public bool OffersDocumentation => Assertions.Any(a => a.DocNeeded is not null && a.QuestionnaireCanonical is not null);
}

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
        IReadOnlyList<PriorDecision> decisions;
        var decisionsUnknown = false;
        try
        {
            decisions = await PriorDecisionsAsync(call.PatientId, inScope, cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            // The database is down: the engine still answers from the chart, and the card says what it could not see.
            LogPriorDecisionsUnavailable(logger, ex, call.Request.HookInstance);
            decisions = [];
            decisionsUnknown = true;
        }

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

        if (decisionsUnknown)
        {
            CoverageCards.Add(answer.Response, call.Options, Note(
                "Earlier prior-authorization decisions could not be looked up right now.",
                "A technical problem on the payer's side kept this check from seeing decisions already made on these orders (approvals, denials, documentation under review). The answer above is from the chart alone; a decision already made still stands with the payer."));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(answer.Response, CdsHooksJson.Options);
        var chart = answer.Assertions.Any(a => a.DocNeeded is not null) ? StoredChart.Write(assembled.Record, inScope) : null;
        metrics.HookAnswered(call, answer.Assertions, decisionFailed, Stopwatch.GetElapsedTime(started));
        return new HookOutcome(json, answer.Assertions, chart, answer.Response);
    }

    /// <summary>
    /// The answer for when its assertions could not be stored. DTR reads the assertion back (its chart, its open
    /// criteria) to serve the tailored questionnaire, so an assertion we could not keep must not promise one: the
    /// coverage-information keeps its determination and doc-needed (documentation is still needed) but loses the
    /// questionnaire, the card's next step says the questionnaire is not available now, and a note says why.
    /// </summary>
    public HookOutcome WithoutDocumentation(HookCall call, HookOutcome outcome)
    {
        var response = outcome.Response;
        foreach (var resource in (response.SystemActions ?? []).Select(a => a.Resource).OfType<DomainResource>())
        {
            foreach (var information in resource.Extension.Where(e => e.Url == CrdCodes.CoverageInformationUrl))
            {
                information.Extension.RemoveAll(e => e.Url == CrdCodes.Sub.Questionnaire);
            }
        }

        // The instructions card (no links) only says to complete the questionnaire, which cannot be served now.
        response.Cards.RemoveAll(c => c.Links is not { Count: > 0 } && c.Source?.Topic?.Code == CrdCodes.InstructionsCardType);
        foreach (var card in response.Cards.Where(c => c.Detail is not null))
        {
            card.Detail = card.Detail!.Replace(CoverageCards.QuestionnaireNextStep, NoQuestionnaireNextStep, StringComparison.Ordinal);
        }

        CoverageCards.Add(response, call.Options, Note(
            "The payer's documentation questionnaire is not available for this order right now.",
            "A technical problem on the payer's side kept this answer from being recorded, so no questionnaire can be served for it. Sign the order again later to be offered the questionnaire, or send the documentation with the prior-authorization request."));
        return outcome with { ResponseJson = JsonSerializer.SerializeToUtf8Bytes(response, CdsHooksJson.Options), RecordBundle = null };
    }

    private const string NoQuestionnaireNextStep =
        "**Next step:** the documentation questionnaire cannot be offered right now (a technical problem on the payer's side); sign the order again later, or send the documentation with the prior-authorization request.";

    /// <summary>An informational card from the same builder (source, card type) as the technical-problem card.</summary>
    private CrdCard Note(string summary, string detail)
    {
        var card = Cards.TechnicalProblemCard();
        card.Summary = summary;
        card.Detail = detail;
        return card;
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Hook {HookInstance}: prior decisions could not be read (database unavailable); answered from the chart alone")]
    private static partial void LogPriorDecisionsUnavailable(ILogger logger, Exception exception, string? hookInstance);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hook {HookInstance}: the coverage decision failed; answered with an informative card")]
    private static partial void LogAdviceFailed(ILogger logger, Exception exception, string? hookInstance);
}
