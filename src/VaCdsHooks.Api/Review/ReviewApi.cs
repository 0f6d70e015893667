using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace VaCdsHooks.Api.Review;

/// <summary>
/// The review workspace as JSON for payer systems: the queue, a case, its decisions, the policy's denial reasons.
/// Same authorization as the pages (session cookie, or a bearer token from the payer's OpenID Connect provider);
/// same audit. Errors are ProblemDetails: 400 names the field, 404, 409 on a stale version, 401/403.
/// </summary>
public static class ReviewApi
{
    private const int MaxDecisionBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ReviewAuthentication.ApiPrefix)
            .RequireAuthorization(ReviewPolicies.ReadCases)
            .WithTags("Review")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/cases", QueueAsync)
            .WithName("ReviewQueue")
            .WithSummary("The review queue: cases pending review by default, with filters, counts per status and keyset paging.");

        api.MapGet("/cases/{caseId}", CaseAsync)
            .WithName("ReviewCase")
            .WithSummary("One case: patient and order, criteria with evidence and questionnaire answers, conflicts, history and decisions.");

        api.MapGet("/cases/{caseId}/hook-exchanges", HookExchangesAsync)
            .WithName("ReviewCaseHookExchanges")
            .WithSummary("The hook call behind the case's coverage assertion: the EHR's request and our response, verbatim, for dispute resolution.");

        api.MapPost("/cases/{caseId}/decisions", DecideAsync)
            .WithName("ReviewDecide")
            .WithSummary("Decide a case: approve (issues a prior-authorization number), deny (medical director; a policy reason) or pend for more information.")
            .Accepts<DecisionRequest>("application/json")
            .DisableAntiforgery();

        api.MapGet("/policy/reasons", Reasons)
            .WithName("ReviewDenialReasons")
            .WithSummary("The policy's reasons a denial can cite (reasonCode values), with the policy's words.");

        api.MapGet("/me", Me)
            .WithName("ReviewMe")
            .WithSummary("The signed-in staff user, roles and the decisions they may make.");

        return app;
    }

    public sealed record StaffUser(string UserId, string Name, IReadOnlyList<string> Roles, bool MayApprove, bool MayPend, bool MayDeny);

    private static async Task<Results<Ok<QueuePage>, ValidationProblem>> QueueAsync(
        HttpContext http,
        ReviewService review,
        ReviewOptions options,
        CancellationToken cancellationToken,
        string? status = null,
        string? indication = null,
        string? minAgeDays = null,
        string? maxAgeDays = null,
        string? sort = null,
        string? cursor = null,
        string? pageSize = null)
    {
        // Numbers are read here, not by the binder, so "maxAgeDays=abc" is a 400 naming the field like any other bad filter.
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = QueueFilterParser.Parse(
            status, indication, Number(minAgeDays, nameof(minAgeDays)), Number(maxAgeDays, nameof(maxAgeDays)), sort, cursor, Number(pageSize, nameof(pageSize)), options.QueuePageSize, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The queue filters are not valid.");
        }

        return TypedResults.Ok(await review.QueueAsync(filter, StaffActor.From(http), cancellationToken));

        int? Number(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            errors[name] = [$"'{name}' must be a whole number."];
            return null;
        }
    }

    private static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> CaseAsync(string caseId, HttpContext http, ReviewService review, CancellationToken cancellationToken)
    {
        var detail = await review.CaseAsync(caseId, StaffActor.From(http), cancellationToken);
        return detail is null ? NotFound(caseId) : TypedResults.Ok(detail);
    }

    private static async Task<Results<Ok<IReadOnlyList<HookExchangeView>>, ProblemHttpResult>> HookExchangesAsync(string caseId, HttpContext http, ReviewService review, CancellationToken cancellationToken)
    {
        var exchanges = await review.HookExchangesAsync(caseId, StaffActor.From(http), cancellationToken);
        return exchanges is null ? NotFound(caseId) : TypedResults.Ok(exchanges);
    }

    private static async Task<Results<Created<DecisionOutcome>, ValidationProblem, ProblemHttpResult>> DecideAsync(
        string caseId,
        HttpContext http,
        ReviewService review,
        CancellationToken cancellationToken)
    {
        // Only JSON: a cross-site form cannot send it without a CORS preflight, which this API never allows.
        if (!http.Request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the decision as application/json.");
        }

        if (http.Request.ContentLength > MaxDecisionBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: $"A decision is at most {MaxDecisionBodyBytes} bytes.");
        }

        DecisionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<DecisionRequest>(http.Request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [$"'{field}' could not be read: check its type (decision, reasonCode and rationale are strings; expectedVersion is a number)."] },
                title: "The decision is not valid JSON of the expected shape.");
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["decision"] = ["Send a JSON object with 'decision' and 'expectedVersion'."] });
        }

        var result = await review.DecideAsync(caseId, request, StaffActor.From(http), cancellationToken);
        return result.Refusal switch
        {
            DecisionRefusal.None => TypedResults.Created($"{ReviewAuthentication.ApiPrefix}/cases/{Uri.EscapeDataString(caseId)}", result.Outcome!),
            DecisionRefusal.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The decision is not valid."),
            DecisionRefusal.NotFound => NotFound(caseId),
            DecisionRefusal.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: result.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The case changed", detail: result.Message, extensions: new Dictionary<string, object?>
            {
                ["currentVersion"] = result.Current?.Version,
                ["currentStatus"] = result.Current?.Status,
            }),
        };
    }

    private static Ok<IReadOnlyList<PolicyReason>> Reasons(PolicyWording wording) => TypedResults.Ok(wording.DenialReasons);

    private static Ok<StaffUser> Me(HttpContext http)
    {
        var user = http.User;
        return TypedResults.Ok(new StaffUser(
            StaffRoles.UserIdOf(user),
            StaffRoles.DisplayNameOf(user),
            StaffRoles.RolesOf(user),
            StaffRoles.May(user, VaCdsHooks.Storage.ReviewDecisionKind.Approve),
            StaffRoles.May(user, VaCdsHooks.Storage.ReviewDecisionKind.Pend),
            StaffRoles.May(user, VaCdsHooks.Storage.ReviewDecisionKind.Deny)));
    }

    private static ProblemHttpResult NotFound(string caseId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such case", detail: $"There is no case '{caseId}'.");

    /// <summary><c>$.expectedVersion</c> → <c>expectedVersion</c>; the whole body when the path says nothing.</summary>
    private static string FieldOf(string? path)
    {
        var field = path?.TrimStart('$').TrimStart('.').Split('.', '[')[0];
        return string.IsNullOrEmpty(field) ? "body" : field;
    }
}
