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
    BaseSpecificationValidator validator,
    TimeProvider time,
    ILogger<DocumentationService> logger)
{
    /// <summary>
    /// <c>$questionnaire-package</c> for a coverage assertion (the CRD <c>coverage-assertion-id</c>). The Coverage sent
    /// must be the assertion's (when it has an id); with <paramref name="changedSince"/>, a questionnaire not changed
    /// since then is not sent again.
    /// </summary>
    public async Task<DtrResult> PackageAsync(string assertionId, string? callerIssuer, CancellationToken cancellationToken, IReadOnlyList<Hl7.Fhir.Model.Coverage>? coverages = null, DateTimeOffset? changedSince = null, bool adaptive = false)
    {
        var context = await LoadOwnedAsync(assertionId, callerIssuer, cancellationToken);
        if (context is null)
        {
            return DtrResult.Problem(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound,
                $"No coverage assertion '{assertionId}' that asked for documentation is known.", "Parameters.parameter.where(name='context')");
        }

        if (context.Assertion.CoverageReference is { } expected && coverages is { Count: > 0 })
        {
            var named = coverages.Where(c => c.Id is not null).Select(c => "Coverage/" + c.Id).ToList();
            if (named.Count > 0 && !named.Contains(expected))
            {
                return DtrResult.Problem(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.BusinessRule,
                    $"{string.Join(", ", named)} is not the coverage of assertion {assertionId} ({expected}).", "Parameters.parameter.where(name='coverage').resource");
            }
        }

        var tailored = questionnaires.Build(context.Assertion, context.Record, context.Order, context.Orders);
        if (!tailored.HasQuestions)
        {
            // The spec: a context that yields no questionnaire gets an OperationOutcome saying why.
            return new DtrResult(QuestionnairePackageBuilder.Output([], QuestionnairePackageBuilder.NothingToAskOutcome(tailored)), StatusCodes.Status200OK);
        }

        if (changedSince is { } since && context.Assertion.Date <= since)
        {
            return new DtrResult(QuestionnairePackageBuilder.Output([], FhirResult.OperationOutcomeFor(OperationOutcome.IssueType.Informational,
                $"Questionnaire {tailored.Canonical} has not changed since {since:O} (tailored at {context.Assertion.Date:O}).",
                "Parameters.parameter.where(name='changedsince')", OperationOutcome.IssueSeverity.Information)), StatusCodes.Status200OK);
        }

        var bundle = adaptive
            ? packages.BuildAdaptive(DocumentationQuestionnaireBuilder.AdaptiveFormOf(tailored.Questionnaire!), tailored, context.Assertion, time.GetUtcNow())
            : packages.Build(tailored, context.Assertion, time.GetUtcNow());
        return new DtrResult(QuestionnairePackageBuilder.Output([bundle]), StatusCodes.Status200OK);
    }

    /// <summary>
    /// <c>GET Questionnaire/{id}</c>: the master, or a questionnaire tailored to one of the caller's assertions
    /// (<c>vad-{assertion id}</c>, as the package holds it).
    /// </summary>
    public async Task<Questionnaire?> ReadQuestionnaireAsync(string id, string? callerIssuer, CancellationToken cancellationToken)
    {
        if (id == questionnaires.Master.Id)
        {
            return questionnaires.Master;
        }

        return DocumentationQuestionnaireBuilder.AssertionIdFromQuestionnaireId(id) is { } assertionId
            ? await TailoredAsync(assertionId, callerIssuer, cancellationToken)
            : null;
    }

    /// <summary>
    /// <c>GET Questionnaire?url=</c>: the master for its url (bare, or with the master's version); a tailored one for
    /// <c>url|version</c> with its tailored version (the draft QuestionnaireResponse's <c>questionnaire</c>).
    /// </summary>
    public async Task<Questionnaire?> FindQuestionnaireAsync(string canonical, string? callerIssuer, CancellationToken cancellationToken)
    {
        var master = questionnaires.Master;
        if (canonical == master.Url || canonical == master.Url + "|" + master.Version)
        {
            return master;
        }

        return questionnaires.AssertionIdFromCanonical(canonical) is { } assertionId
            ? await TailoredAsync(assertionId, callerIssuer, cancellationToken)
            : null;
    }

    /// <summary>The master Questionnaire as served.</summary>
    public Questionnaire MasterQuestionnaire => questionnaires.Master;

    /// <summary>Whether a canonical (<c>url</c> or <c>url|version</c>) names our questionnaire.</summary>
    public bool IsOurQuestionnaire(string canonical) => canonical.Split('|')[0] == questionnaires.Url || IsAdaptive(canonical);

    /// <summary>Whether a canonical names the adaptive form (the package then carries it instead of the static one).</summary>
    public bool IsAdaptive(string canonical) => canonical.Split('|')[0] == questionnaires.AdaptiveUrl;

    /// <summary>The assertion a tailored canonical (<c>url|version</c>) names, or null.</summary>
    public string? AssertionOfCanonical(string canonical) => questionnaires.AssertionIdFromCanonical(canonical);

    /// <summary>The package of the master Questionnaire (a canonical was sent, no assertion found).</summary>
    public DtrResult MasterPackage(Hl7.Fhir.Model.Coverage coverage, IReadOnlyList<Resource> orders, DateTimeOffset? changedSince)
    {
        var master = questionnaires.Master;
        if (changedSince is { } since && master.Meta?.LastUpdated is { } changed && changed <= since)
        {
            return new DtrResult(QuestionnairePackageBuilder.Output([], FhirResult.OperationOutcomeFor(OperationOutcome.IssueType.Informational,
                $"Questionnaire {master.Url}|{master.Version} has not changed since {since:O}.", "Parameters.parameter.where(name='changedsince')", OperationOutcome.IssueSeverity.Information)), StatusCodes.Status200OK);
        }

        var note = FhirResult.OperationOutcomeFor(OperationOutcome.IssueType.Informational,
            "No coverage assertion was named ('context'): this is the full questionnaire, not tailored or pre-filled. Send the coverage-assertion-id as 'context' to be asked only what is still open.",
            "Parameters.parameter.where(name='context')", OperationOutcome.IssueSeverity.Information);
        return new DtrResult(QuestionnairePackageBuilder.Output([packages.BuildUntailored(master, coverage, orders, time.GetUtcNow())], note), StatusCodes.Status200OK);
    }

    private async Task<Questionnaire?> TailoredAsync(string assertionId, string? callerIssuer, CancellationToken cancellationToken) =>
        await LoadOwnedAsync(assertionId, callerIssuer, cancellationToken) is { } context
            ? questionnaires.Build(context.Assertion, context.Record, context.Order, context.Orders).Questionnaire
            : null;

    /// <summary>The assertion of an order open for documentation, for package requests that name the order instead of the context.</summary>
    public Task<string?> AssertionForOrderAsync(string patientReference, string orderReference, string? callerIssuer, CancellationToken cancellationToken) =>
        OpenAssertionForOrderAsync(patientReference, orderReference, callerIssuer, cancellationToken);

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
        // The base specification first (cardinalities, types, invariants): its issues go back as they are.
        var validation = validator.Validate(response);
        if (BaseSpecificationValidator.Errors(validation).Count > 0)
        {
            return new DtrResult(validation, StatusCodes.Status422UnprocessableEntity);
        }

        var notOurs = DtrResult.Problem(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.NotFound,
            "The QuestionnaireResponse does not answer a questionnaire this payer issued for a current coverage assertion (check 'questionnaire' and the qr-context order).", "QuestionnaireResponse.questionnaire");
        var assertionId = await AssertionOfAsync(response, callerIssuer, cancellationToken);
        if (assertionId is null)
        {
            return notOurs;
        }

        var (owned, tailored, problem) = await QuestionnaireForAsync(assertionId, callerIssuer, cancellationToken);
        if (problem is not null)
        {
            // An assertion named in the response but unknown to this caller reads as any foreign questionnaire.
            return problem.StatusCode == StatusCodes.Status404NotFound ? notOurs : problem;
        }

        var context = owned!;
        if (await ClosedProblemAsync(context, cancellationToken) is { } closed)
        {
            return closed;
        }

        // A response to the full (master) questionnaire is checked against it; otherwise against the tailored one.
        var master = questionnaires.Master;
        var answered = response.Questionnaire == master.Url + "|" + master.Version ? tailored! with { Questionnaire = master } : tailored!;
        var problems = reader.Validate(response, answered, context.Record.PatientId);
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
        var saved = await responses.SaveReceivedAsync(new QuestionnaireResponseRecord
        {
            CaseId = created.Case.CaseId,
            AssertionId = assertionId,
            ReceivedAt = now,
            ClientId = clientId,
            SubmittedIdentifier = response.Identifier?.Value ?? response.Id,
            ContentHash = QuestionnaireResponseContentHash.Compute(canonical),
            ResourceJson = json,
        }, cancellationToken);

        if (saved.Created)
        {
            jobs.Enqueue<DocumentationJob>(job => job.ProcessAsync(saved.Response.Id, CancellationToken.None));
            LogReceived(logger, saved.Response.Id, created.Case.CaseId);
        }
        else if (saved.Response.ProcessingState != QuestionnaireResponseProcessingState.Processed)
        {
            // The client resent a response we hold but have not decided: its job may never have been queued (the
            // process stopped between storing and queuing), so queue it again; a job for a decided response does nothing.
            jobs.Enqueue<DocumentationJob>(job => job.ProcessAsync(saved.Response.Id, CancellationToken.None));
            LogRequeued(logger, saved.Response.Id, created.Case.CaseId);
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

    /// <summary>
    /// The assertion a response answers: the contained adaptive questionnaire names it, or the tailored version in
    /// <c>questionnaire</c> (<c>url|version</c>, as the draft has it) does; a bare <c>url</c> leads through the
    /// qr-context order to the assertion of that order that is open for documentation.
    /// </summary>
    private async Task<string?> AssertionOfAsync(QuestionnaireResponse response, string? callerIssuer, CancellationToken cancellationToken)
    {
        var contained = response.Contained.OfType<Questionnaire>()
            .SelectMany(q => q.Identifier)
            .FirstOrDefault(i => i.System == DtrCodes.AssertionIdentifierSystem)?.Value;
        if (contained is not null)
        {
            return contained;
        }

        if (questionnaires.AssertionIdFromCanonical(response.Questionnaire) is { } named)
        {
            return named;
        }

        var patient = response.Subject?.Reference;
        var order = response.GetExtensions(DtrCodes.QrContextUrl)
            .Select(e => (e.Value as ResourceReference)?.Reference)
            .FirstOrDefault(r => r is not null && !r.StartsWith("Coverage/", StringComparison.Ordinal));
        if (patient is null || order is null || response.Questionnaire?.Split('|')[0] != questionnaires.Url)
        {
            return null;
        }

        return await OpenAssertionForOrderAsync(patient, order, callerIssuer, cancellationToken);
    }

    /// <summary>
    /// The assertion of an order that documentation answers: a case pended for more information reopens its own
    /// questionnaire (the answers join that case rather than a new assertion's); else the latest assertion when it
    /// asked for documentation; when a later hook call asked for none (order-select, a re-sign while the case is
    /// open), the assertion of the order's case still waiting for answers, else the latest one that asked; otherwise the latest.
    /// </summary>
    private async Task<string?> OpenAssertionForOrderAsync(string patientReference, string orderReference, string? callerIssuer, CancellationToken cancellationToken)
    {
        var latest = await assertions.FindLatestForOrderAsync(patientReference, orderReference, cancellationToken);
        if (latest is null || !DtrAccess.Owns(callerIssuer, latest.ClientIssuer))
        {
            return null;
        }

        var open = await cases.FindLatestForOrderAsync(patientReference, orderReference, cancellationToken);
        var reopened = open is { Status: PriorAuthCaseStatus.MoreInformationRequested }
            || (open is { Status: PriorAuthCaseStatus.AwaitingDocumentation } && latest.DocNeeded is null);
        if (reopened && await assertions.FindAsync(open!.AssertionId, cancellationToken) is { } pended && DtrAccess.Owns(callerIssuer, pended.ClientIssuer))
        {
            return pended.AssertionId;
        }

        // A later call that asked for nothing (order-select) does not take the answers from the one that asked.
        return latest.DocNeeded is null
               && await assertions.FindLatestForOrderAsync(patientReference, orderReference, cancellationToken, askedForDocumentation: true) is { } asked
               && DtrAccess.Owns(callerIssuer, asked.ClientIssuer)
            ? asked.AssertionId
            : latest.AssertionId;
    }

    /// <summary>
    /// Why answers to this assertion can no longer be taken: another assertion's case for the same order is already
    /// decided. (Its own case keeps taking answers as before: a resubmission returns the stored response.)
    /// </summary>
    private async Task<DtrResult?> ClosedProblemAsync(AssertionContext context, CancellationToken cancellationToken)
    {
        var latest = await cases.FindLatestForOrderAsync(context.Assertion.PatientReference, context.Assertion.OrderReference, cancellationToken);
        return latest is { Status: PriorAuthCaseStatus.Approved or PriorAuthCaseStatus.Denied } && latest.AssertionId != context.Assertion.AssertionId
            ? DtrResult.Problem(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.BusinessRule,
                $"Order {context.Assertion.OrderReference} is already decided ({latest.Status.ToCode()}, ClaimResponse/{latest.CaseId}); coverage assertion {context.Assertion.AssertionId} no longer takes answers.",
                "QuestionnaireResponse.questionnaire")
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "QuestionnaireResponse {ResponseId} stored for case {CaseId}; processing enqueued")]
    private static partial void LogReceived(ILogger logger, string responseId, string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QuestionnaireResponse {ResponseId} of case {CaseId} was resent before it was processed; processing enqueued again")]
    private static partial void LogRequeued(ILogger logger, string responseId, string caseId);
}
