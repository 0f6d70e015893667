using System.Diagnostics;
using System.Text.Json;
using VaCdsHooks.Coverage.CdsHooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>CDS Hooks 2.0: discovery, the hook services and card feedback.</summary>
public static partial class CdsServicesApi
{
    public const string CorsPolicy = "cds-hooks";

    public static IEndpointRouteBuilder MapCdsServicesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/cds-services").RequireCors(CorsPolicy).WithTags("CDS Hooks");

        group.MapGet("/", Discovery)
            .WithName("CdsDiscovery")
            .WithSummary("CDS Hooks discovery: the CRD services this payer answers.");

        group.MapPost("/{id}", InvokeAsync)
            .RequireAuthorization(EhrJwtDefaults.Policy)
            .WithName("CdsInvoke")
            .WithSummary("Invoke a CRD service (order-sign, order-dispatch, appointment-book, order-select).")
            .DisableAntiforgery();

        group.MapPost("/{id}/feedback", FeedbackAsync)
            .RequireAuthorization(EhrJwtDefaults.Policy)
            .WithName("CdsFeedback")
            .WithSummary("Receive feedback on the cards a service returned.")
            .DisableAntiforgery();

        return app;
    }

    /// <summary>The dependencies of the hook endpoints.</summary>
    public sealed record HookServices(
        CdsServiceCatalog Catalog,
        HookProcessor Processor,
        HookRecorder Recorder,
        VaCdsHooks.Coverage.ICoverageAdvisor Advisor,
        IOptions<CdsServicesOptions> Options,
        ILoggerFactory LoggerFactory);

    private static FileContentHttpResult Discovery(CdsServiceCatalog catalog) =>
        TypedResults.Bytes(catalog.DiscoveryJson, "application/json");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> InvokeAsync(
        string id,
        HttpContext http,
        [AsParameters] HookServices services,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var service = services.Catalog.Find(id);
        if (service is null)
        {
            return UnknownService(id);
        }

        if (!IsJson(http.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the hook request as application/json.");
        }

        byte[] body;
        try
        {
            body = await RequestBody.ReadAsync(http.Request, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        }
        catch (RequestBodyTooLargeException ex)
        {
            return TooLarge(ex);
        }

        var parsed = HookRequestParser.Parse(body, service, services.Advisor.IsInScope);
        if (parsed.Call is not { } call)
        {
            return InvalidRequest(parsed);
        }

        var client = http.GetEhrClient();
        var fhirServerAllowed = call.FhirServer is not null && client is not null && client.AllowsFhirServer(call.FhirServer);
        var outcome = await services.Processor.AnswerAsync(call, fhirServerAllowed, cancellationToken);

        var stored = await services.Recorder.RecordHookAsync(call, client, body, outcome, Stopwatch.GetElapsedTime(started), cancellationToken);
        if (!stored && outcome.OffersDocumentation)
        {
            // An assertion the EHR gets must be retrievable for DTR; one we could not store may not promise a questionnaire.
            outcome = services.Processor.WithoutDocumentation(call, outcome);
        }

        return TypedResults.Bytes(outcome.ResponseJson, "application/json");
    }

    private static async Task<Results<Ok, ValidationProblem, ProblemHttpResult>> FeedbackAsync(
        string id,
        HttpContext http,
        [AsParameters] HookServices services,
        CancellationToken cancellationToken)
    {
        var service = services.Catalog.Find(id);
        if (service is null)
        {
            return UnknownService(id);
        }

        byte[] body;
        try
        {
            body = await RequestBody.ReadAsync(http.Request, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        }
        catch (RequestBodyTooLargeException ex)
        {
            return TooLarge(ex);
        }

        var (feedback, errors) = FeedbackParser.Parse(body);
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors, title: "The feedback is not valid", type: "https://cds-hooks.hl7.org/2.0/#feedback");
        }

        try
        {
            await services.Recorder.RecordFeedbackAsync(service, http.GetEhrClient(), feedback!, cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            // One transaction, so nothing was kept; the EHR may send the same feedback again (duplicates are skipped).
            StorageFailure.AdviseRetry(http.Response);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Feedback could not be stored right now",
                detail: "The payer's database is unavailable; nothing was stored. Send the same feedback again after the Retry-After delay.");
        }

        return TypedResults.Ok();
    }

    /// <summary>
    /// CRD: errors as FHIR create answers them. 400 when the body cannot be parsed as a JSON object; 422 when it
    /// parses but is not a valid hook request. Each error names its field, in <c>errors</c> and in OperationOutcome-style
    /// <c>issue</c> entries (<c>expression</c> = the field).
    /// </summary>
    private static ProblemHttpResult InvalidRequest(HookParseResult parsed)
    {
        var status = parsed.Unparsable ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
        var problem = new HttpValidationProblemDetails(parsed.Errors)
        {
            Status = status,
            Title = parsed.Unparsable ? "The hook request is not JSON" : "The hook request is not valid",
            Type = "https://cds-hooks.hl7.org/2.0/#http-request-1",
        };
        problem.Extensions["issue"] = parsed.Errors.SelectMany(e => e.Value.Select(message => new Dictionary<string, object>
        {
            ["severity"] = "error",
            ["code"] = parsed.Unparsable ? "structure" : "invalid",
            ["diagnostics"] = message,
            ["expression"] = new[] { e.Key },
        })).ToList();
        return TypedResults.Problem(problem);
    }

    private static ProblemHttpResult UnknownService(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown CDS service",
        detail: $"There is no CDS service '{Truncate(id)}'. GET /cds-services lists the services.");

    private static ProblemHttpResult TooLarge(RequestBodyTooLargeException ex) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body exceeds the limit of {ex.Limit} bytes.");

    private static bool IsJson(HttpRequest request) =>
        string.IsNullOrEmpty(request.ContentType)
        || request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || request.ContentType.StartsWith("application/fhir+json", StringComparison.OrdinalIgnoreCase);

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}

/// <summary>Reads a CDS Hooks feedback body: <c>{ "feedback": [ { card, outcome, ... } ] }</c>.</summary>
public static class FeedbackParser
{
    private sealed class FeedbackBody
    {
        [System.Text.Json.Serialization.JsonPropertyName("feedback")]
        public List<CdsFeedback>? Feedback { get; set; }
    }

    public static (IReadOnlyList<CdsFeedback>? Feedback, IDictionary<string, string[]>? Errors) Parse(ReadOnlySpan<byte> body)
    {
        FeedbackBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<FeedbackBody>(body, CdsHooksJson.Options);
        }
        catch (JsonException ex)
        {
            return (null, new Dictionary<string, string[]> { [ex.Path ?? "$"] = ["The body is not valid CDS Hooks feedback JSON."] });
        }

        if (parsed?.Feedback is not { Count: > 0 } items)
        {
            return (null, new Dictionary<string, string[]> { ["feedback"] = ["feedback must be a non-empty array."] });
        }

        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var prefix = $"feedback[{i}].";
            if (string.IsNullOrWhiteSpace(item.Card) || item.Card.Length > 128)
            {
                errors[prefix + "card"] = ["card (the card's uuid) is required."];
            }

            if (item.Outcome is not ("accepted" or "overridden"))
            {
                errors[prefix + "outcome"] = ["outcome must be 'accepted' or 'overridden'."];
            }

            if (item.Outcome == "accepted" && item.OverrideReason is not null)
            {
                errors[prefix + "overrideReason"] = ["overrideReason is only allowed with outcome 'overridden'."];
            }

            if (item.Outcome == "overridden" && item.AcceptedSuggestions is { Count: > 0 })
            {
                errors[prefix + "acceptedSuggestions"] = ["acceptedSuggestions is only allowed with outcome 'accepted'."];
            }

            if (string.IsNullOrWhiteSpace(item.OutcomeTimeStamp) || !DateTimeOffset.TryParse(item.OutcomeTimeStamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _))
            {
                errors[prefix + "outcomeTimestamp"] = ["outcomeTimestamp must be an ISO 8601 instant."];
            }
        }

        return errors.Count > 0 ? (null, errors) : (items, null);
    }
}
