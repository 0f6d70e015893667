using System.Text.Json;
using Hangfire;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Storage;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Dtr;

/// <summary>The outcome of a DTR operation: a resource to return, or an OperationOutcome with its status.</summary>
public sealed record DtrResult(Resource Resource, int StatusCode, string? Location = null)
{
    public static DtrResult Problem(int status, OperationOutcome.IssueType code, string message, string? expression = null) =>
        new(FhirResult.OperationOutcomeFor(code, message, expression), status);
}

/// <summary>Settings of the documentation workflow (section <c>Dtr</c>).</summary>
public sealed class DtrWorkflowOptions
{
    public const string Section = "Dtr";

    /// <summary>Days an approval issued after documentation holds.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 730)]
    public int ApprovalValidDays { get; set; } = 90;
}

/// <summary>
/// The payer side of DTR: the questionnaire package for an assertion, adaptive next questions, and durable intake
/// of completed responses (stored first, processed by a background job).
/// </summary>
public sealed partial class DocumentationService(
    AssertionContextLoader contexts,
    DocumentationQuestionnaireBuilder questionnaires,
    QuestionnairePackageBuilder packages,
    QuestionnaireResponseReader reader,
    IPriorAuthCaseStore cases,
    IQuestionnaireResponseStore responses,
    ICoverageAssertionStore assertions,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<DocumentationService> logger)
{
    /// <summary><c>$questionnaire-package</c> for a coverage assertion (the CRD <c>coverage-assertion-id</c>).</summary>
    public async Task<DtrResult> PackageAsync(string assertionId, string? callerIssuer, CancellationToken cancellationToken)
    {
        var context = await LoadOwnedAsync(assertionId, callerIssuer, cancellationToken);
        if (context is null)
        {
            return DtrResult.Problem(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound,
                $"No coverage assertion '{assertionId}' that asked for documentation is known.", "Parameters.parameter.where(name='context')");
        }

        var tailored = questionnaires.Build(context.Assertion, context.Record, context.Order, context.Orders);
        if (!tailored.HasQuestions)
        {
            // The spec: a context that yields no questionnaire gets an OperationOutcome saying why.
            return new DtrResult(QuestionnairePackageBuilder.Output([], QuestionnairePackageBuilder.NothingToAskOutcome(tailored)), StatusCodes.Status200OK);
        }

        var bundle = packages.Build(tailored, context.Assertion, time.GetUtcNow());
        return new DtrResult(QuestionnairePackageBuilder.Output([bundle]), StatusCodes.Status200OK);
    }

    /// <summary>The latest assertion for an order, for package requests that name the order instead of the context.</summary>
    public async Task<string?> LatestAssertionForOrderAsync(string patientReference, string orderReference, string? callerIssuer, CancellationToken cancellationToken) =>
        await assertions.FindLatestForOrderAsync(patientReference, orderReference, cancellationToken) is { } latest && DtrAccess.Owns(callerIssuer, latest.ClientIssuer)
            ? latest.AssertionId
            : null;

    /// <summary>The case status for the EHR, if the case belongs to the caller's assertions.</summary>
    public async Task<PriorAuthCaseRecord?> CaseAsync(string? caseId, string? assertionId, string? callerIssuer, CancellationToken cancellationToken)
    {
        var found = caseId is not null ? await cases.FindAsync(caseId, cancellationToken)
            : assertionId is not null ? await cases.FindByAssertionAsync(assertionId, cancellationToken)
            : null;
        if (found is null)
        {
            return null;
        }

        var assertion = await assertions.FindAsync(found.AssertionId, cancellationToken);
        return DtrAccess.Owns(callerIssuer, assertion?.ClientIssuer) ? found : null;
    }

    /// <summary><c>$next-question</c>: the response with the next unanswered items of its contained questionnaire.</summary>
    public async Task<DtrResult> NextQuestionAsync(QuestionnaireResponse response, string? callerIssuer, CancellationToken cancellationToken)
    {
        var contained = response.Contained.OfType<Questionnaire>().FirstOrDefault();
        var assertionId = contained?.Identifier.FirstOrDefault(i => i.System == DtrCodes.AssertionIdentifierSystem)?.Value;
        if (assertionId is null)
        {
            return DtrResult.Problem(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required,
                "The QuestionnaireResponse must contain the adaptive Questionnaire it answers (with its coverage-assertion identifier).", "QuestionnaireResponse.contained");
        }

        var (_, tailored, problem) = await QuestionnaireForAsync(assertionId, callerIssuer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var next = NextQuestionEngine.Next(response, tailored!.Questionnaire!);
        return next.Response is { } updated
            ? new DtrResult(updated, StatusCodes.Status200OK)
            : new DtrResult(QuestionnaireProblem.ToOperationOutcome(next.Problems), StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>
    /// Takes a completed response: validates it against the questionnaire of its assertion, stores it durably,
    /// and enqueues its processing. Resubmitting the same response returns the stored one.
    /// </summary>
    public async Task<DtrResult> ReceiveAsync(QuestionnaireResponse response, string json, string clientId, string? callerIssuer, CancellationToken cancellationToken)
    {
        var assertionId = await AssertionOfAsync(response, callerIssuer, cancellationToken);
        if (assertionId is null)
        {
            return DtrResult.Problem(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.NotFound,
                "The QuestionnaireResponse does not answer a questionnaire this payer issued for a current coverage assertion (check 'questionnaire' and the qr-context order).", "QuestionnaireResponse.questionnaire");
        }

        var (owned, tailored, problem) = await QuestionnaireForAsync(assertionId, callerIssuer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var context = owned!;
        var problems = reader.Validate(response, tailored!, context.Record.PatientId);
        if (problems.Count > 0)
        {
            return new DtrResult(QuestionnaireProblem.ToOperationOutcome(problems), StatusCodes.Status422UnprocessableEntity);
        }

        var now = time.GetUtcNow();
        var created = await cases.CreateIfAbsentAsync(new PriorAuthCaseRecord
        {
            AssertionId = assertionId,
            PatientReference = context.Assertion.PatientReference,
            OrderReference = context.Assertion.OrderReference,
            CoverageReference = context.Assertion.CoverageReference,
            CreatedAt = now,
            UpdatedAt = now,
            Status = PriorAuthCaseStatus.AwaitingDocumentation,
            DeterminationSummary = "Documentation requested.",
            IndicationLabel = tailored!.Indication?.Display,
        }, PriorAuthCaseEventRecord.SystemActor, cancellationToken);

        // Canonical form for idempotency: the same resource re-serialized the same way hashes the same.
        var canonical = JsonSerializer.Serialize(response, FhirResult.Json);
        var saved = await responses.SaveReceivedAsync(new ReceivedQuestionnaireResponse
        {
            CaseId = created.Case.CaseId,
            AssertionId = assertionId,
            ReceivedAt = now,
            ClientId = clientId,
            SubmittedIdentifier = response.Identifier?.Value ?? response.Id,
            CanonicalJson = canonical,
            ResourceJson = json,
        }, cancellationToken);

        if (saved.Created)
        {
            jobs.Enqueue<DocumentationJob>(job => job.ProcessAsync(saved.Response.Id, CancellationToken.None));
            LogReceived(logger, saved.Response.Id, created.Case.CaseId);
        }

        var stored = (QuestionnaireResponse)response.DeepCopy();
        stored.Id = saved.Response.Id;
        stored.Meta ??= new Meta();
        stored.Meta.LastUpdated = saved.Response.ReceivedAt;
        return new DtrResult(stored, saved.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, "QuestionnaireResponse/" + saved.Response.Id);
    }

    /// <summary>
    /// The assertion a response answers: the contained adaptive questionnaire names it; otherwise the order in its
    /// qr-context leads to the latest assertion, whose tailored questionnaire must be the one answered.
    /// </summary>
    /// <summary>
    /// The caller's assertion and the questionnaire tailored to it, or the problem: unknown (or another client's)
    /// assertion 404; nothing left to ask 422.
    /// </summary>
    private async Task<(AssertionContext? Context, TailoredQuestionnaire? Tailored, DtrResult? Problem)> QuestionnaireForAsync(string assertionId, string? callerIssuer, CancellationToken cancellationToken)
    {
        var context = await LoadOwnedAsync(assertionId, callerIssuer, cancellationToken);
        if (context is null)
        {
            return (null, null, DtrResult.Problem(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"No coverage assertion '{assertionId}' that asked for documentation is known."));
        }

        var tailored = questionnaires.Build(context.Assertion, context.Record, context.Order, context.Orders);
        return tailored.Questionnaire is null
            ? (context, tailored, new DtrResult(QuestionnairePackageBuilder.NothingToAskOutcome(tailored), StatusCodes.Status422UnprocessableEntity))
            : (context, tailored, null);
    }

    private async Task<AssertionContext?> LoadOwnedAsync(string assertionId, string? callerIssuer, CancellationToken cancellationToken) =>
        await contexts.LoadAsync(assertionId, cancellationToken) is { } context && DtrAccess.Owns(callerIssuer, context.ClientIssuer) ? context : null;

    private async Task<string?> AssertionOfAsync(QuestionnaireResponse response, string? callerIssuer, CancellationToken cancellationToken)
    {
        var contained = response.Contained.OfType<Questionnaire>()
            .SelectMany(q => q.Identifier)
            .FirstOrDefault(i => i.System == DtrCodes.AssertionIdentifierSystem)?.Value;
        if (contained is not null)
        {
            return contained;
        }

        var patient = response.Subject?.Reference;
        var order = response.GetExtensions(DtrCodes.QrContextUrl)
            .Select(e => (e.Value as ResourceReference)?.Reference)
            .FirstOrDefault(r => r is not null && !r.StartsWith("Coverage/", StringComparison.Ordinal));
        if (patient is null || order is null || response.Questionnaire is null)
        {
            return null;
        }

        var latest = await assertions.FindLatestForOrderAsync(patient, order, cancellationToken);
        if (latest is null || !DtrAccess.Owns(callerIssuer, latest.ClientIssuer))
        {
            return null;
        }

        var answered = response.Questionnaire.Split('|')[0];
        return answered == questionnaires.QuestionnaireUrlFor(latest.AssertionId) ? latest.AssertionId : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "QuestionnaireResponse {ResponseId} stored for case {CaseId}; processing enqueued")]
    private static partial void LogReceived(ILogger logger, string responseId, string caseId);
}
