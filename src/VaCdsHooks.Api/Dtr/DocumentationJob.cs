using System.Text.Json;
using Hangfire;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Storage;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// Processes one stored QuestionnaireResponse: its answers become attested evidence, the policy is evaluated again
/// on the chart the assertion was made on, and the case moves to approved, denied or pending review. Takes an id
/// only and is safe to run twice: the store marks the response processed in the same transaction as the case
/// update, and a second run finds it done.
/// </summary>
public sealed partial class DocumentationJob(
    IQuestionnaireResponseStore responses,
    IPriorAuthCaseStore cases,
    AssertionContextLoader contexts,
    DocumentationQuestionnaireBuilder questionnaires,
    QuestionnaireResponseReader reader,
    DocumentationReevaluation reevaluation,
    IOptions<DtrWorkflowOptions> options,
    TimeProvider time,
    ILogger<DocumentationJob> logger)
{
    private const int ConcurrencyRetries = 3;

    // A transient failure (database busy, a restart) is retried soon: a surgeon is waiting for the answer.
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 5, 15, 60, 300])]
    public async Task ProcessAsync(string responseId, CancellationToken cancellationToken)
    {
        var received = await responses.FindAsync(responseId, cancellationToken);
        if (received is null || received.ProcessingState == QuestionnaireResponseProcessingState.Processed)
        {
            return;
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ProcessOnceAsync(received, cancellationToken);
                    return;
                }
                catch (CaseConcurrencyException) when (attempt < ConcurrencyRetries)
                {
                    // A reviewer or another job changed the case meanwhile: read it again and decide on the new state.
                }
            }
        }
        catch (QuestionnaireResponseAlreadyProcessedException)
        {
            // Another run finished first; nothing left to do.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, responseId);
            await responses.MarkFailedAsync(responseId, ex.GetType().Name + ": " + ex.Message, CancellationToken.None);
            throw;
        }
    }

    private async Task ProcessOnceAsync(QuestionnaireResponseRecord received, CancellationToken cancellationToken)
    {
        var current = await cases.FindAsync(received.CaseId, cancellationToken)
            ?? throw new InvalidOperationException($"Case {received.CaseId} of response {received.Id} does not exist.");
        var context = await contexts.LoadAsync(received.AssertionId, cancellationToken)
            ?? throw new InvalidOperationException($"The chart of assertion {received.AssertionId} is not stored.");

        var response = JsonSerializer.Deserialize<QuestionnaireResponse>(received.ResourceJson, FhirResult.Json)
            ?? throw new InvalidOperationException($"Response {received.Id} is not a QuestionnaireResponse.");
        var tailored = questionnaires.Build(context.Assertion, context.Record, context.Order, context.Orders);
        var evidence = reader.ToEvidence(response, tailored);
        var now = time.GetUtcNow();
        var outcome = reevaluation.Reevaluate(context.Record, evidence, context.Order, now, context.Orders, context.Assertion.Criteria);

        var (status, summary) = outcome.Decision switch
        {
            DocumentationDecision.Approved => (PriorAuthCaseStatus.Approved, $"Approved on the documentation: {outcome.Reason}"),
            DocumentationDecision.Denied => (PriorAuthCaseStatus.Denied, outcome.Reason),
            _ => (PriorAuthCaseStatus.PendingReview, outcome.Conflicts.Count > 0
                ? "Needs review: " + string.Join("; ", outcome.Conflicts)
                : "Needs review: " + outcome.Reason),
        };

        // A decision a reviewer already made stands; the answers are kept for the record only.
        if (current.Status is PriorAuthCaseStatus.Approved or PriorAuthCaseStatus.Denied)
        {
            status = current.Status;
            summary = current.DeterminationSummary ?? summary;
        }

        var approved = status == PriorAuthCaseStatus.Approved && current.Status != PriorAuthCaseStatus.Approved;
        var updated = current with
        {
            Status = status,
            UpdatedAt = now,
            DeterminationSummary = Truncate(summary, 1000),
            PriorAuthNumber = approved ? outcome.PriorAuthNumber : current.PriorAuthNumber,
            PriorAuthExpiresOn = approved ? DateOnly.FromDateTime(now.UtcDateTime).AddDays(options.Value.ApprovalValidDays) : current.PriorAuthExpiresOn,
        };

        await cases.UpdateAsync(updated, current.Version, new PriorAuthCaseEventRecord
        {
            CaseId = current.CaseId,
            At = now,
            Kind = PriorAuthCaseEventKinds.ReEvaluated,
            Actor = PriorAuthCaseEventRecord.SystemActor,
            Summary = Truncate($"Answers in QuestionnaireResponse {received.Id} re-evaluated: {status.ToCode()}. {summary}", 2000),
            DetailJson = JsonSerializer.Serialize(outcome.Criteria.Select(c => new { c.CriterionId, Status = c.StatusCode, c.Flags })),
        }, received.Id, cancellationToken);

        LogProcessed(logger, received.Id, current.CaseId, status.ToCode());
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [LoggerMessage(Level = LogLevel.Information, Message = "QuestionnaireResponse {ResponseId} processed: case {CaseId} is {Status}")]
    private static partial void LogProcessed(ILogger logger, string responseId, string caseId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing QuestionnaireResponse {ResponseId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string responseId);
}

/// <summary>At start-up, enqueue every stored response not yet processed: with in-memory jobs a restart loses the queue, not the work.</summary>
public sealed partial class DocumentationJobRecovery(IServiceProvider services, ILogger<DocumentationJobRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var responses = scope.ServiceProvider.GetRequiredService<IQuestionnaireResponseStore>();
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var pending = await responses.ListUnprocessedAsync(1000, maxAttempts: 10, cancellationToken);
        foreach (var response in pending)
        {
            jobs.Enqueue<DocumentationJob>(job => job.ProcessAsync(response.Id, CancellationToken.None));
        }

        if (pending.Count > 0)
        {
            LogRecovered(logger, pending.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-enqueued {Count} stored QuestionnaireResponses that were not processed before the last stop")]
    private static partial void LogRecovered(ILogger logger, int count);
}
