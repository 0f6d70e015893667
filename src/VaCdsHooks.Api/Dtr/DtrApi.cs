using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Storage;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Storage;
using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// The payer's DTR FHIR endpoint (one base for every DTR call): CapabilityStatement, the documentation
/// Questionnaire, <c>$questionnaire-package</c>, <c>$next-question</c>, QuestionnaireResponse intake and the
/// prior-authorization status of a case (ClaimResponse). Errors are OperationOutcomes.
/// </summary>
public static class DtrApi
{
    /// <summary>DTR apps may run in a browser; they send bearer tokens, never cookies.</summary>
    public const string DtrCorsPolicy = "dtr";

    public static IEndpointRouteBuilder MapDtrApi(this IEndpointRouteBuilder app)
    {
        static RouteGroupBuilder protect(RouteGroupBuilder group, string policy) => group.RequireAuthorization(policy).RequireCors(DtrCorsPolicy);
        var fhir = app.MapGroup("/fhir").WithTags("DTR");

        // The database down is a 503 with Retry-After, as an OperationOutcome. Each write is one transaction (the
        // case is created idempotently, the response stored with its case event), so a refused request left nothing
        // half-written and the same request sent again is answered as if it were the first (or 200 if it did commit).
        fhir.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (StorageFailure.Is(ex))
            {
                StorageFailure.AdviseRetry(context.HttpContext.Response);
                return FhirResult.Outcome(StatusCodes.Status503ServiceUnavailable, OperationOutcome.IssueType.Transient,
                    "The payer's database is unavailable right now; nothing was stored. Send the same request again after the Retry-After delay.");
            }
        });

        fhir.MapGet("/metadata", (CapabilityStatementSource capability) => new FhirResult(capability.Statement))
            .RequireCors(DtrCorsPolicy)
            .WithSummary("CapabilityStatement of the DTR endpoint (no authentication).");

        var questionnaires = protect(fhir.MapGroup("/Questionnaire"), DtrAccess.ReadQuestionnaires);
        questionnaires.MapGet("/{id}", ReadQuestionnaireAsync).WithSummary("Read the documentation Questionnaire.");
        questionnaires.MapGet("/", SearchQuestionnairesAsync).WithSummary("Resolve the documentation Questionnaire by canonical url.");
        questionnaires.MapPost("/$questionnaire-package", PackageAsync).DisableAntiforgery()
            .WithSummary("DTR $questionnaire-package: the Questionnaire tailored to a coverage assertion, its ValueSets and a pre-filled draft QuestionnaireResponse.");
        questionnaires.MapPost("/$next-question", NextQuestionAsync).DisableAntiforgery()
            .WithSummary("SDC $next-question for the adaptive form.");

        protect(fhir.MapGroup("/ValueSet"), SmartBackendPolicies.ReadValueSets).MapValueSetApi();

        var responses = protect(fhir.MapGroup("/QuestionnaireResponse"), DtrAccess.WriteQuestionnaireResponses);
        responses.MapPost("/", ReceiveAsync).DisableAntiforgery()
            .WithSummary("Submit a completed QuestionnaireResponse; stored at once (201) and processed in the background.");

        // The case status needs its own scope: a token for reading ValueSets must not read decisions.
        var status = protect(fhir.MapGroup("/ClaimResponse"), SmartBackendPolicies.ReadClaimResponses);
        status.MapGet("/{id}", ReadCaseStatusAsync).WithSummary("The prior-authorization status of a case.");
        status.MapGet("/", SearchCaseStatusAsync).WithSummary("The prior-authorization status by coverage-assertion-id (identifier).");

        return app;
    }

    private static async Task<FhirResult> ReadQuestionnaireAsync(string id, HttpContext http, DocumentationService documentation, CancellationToken cancellationToken) =>
        await documentation.ReadQuestionnaireAsync(id, DtrAccess.Issuer(http), cancellationToken) is { } found
            ? new FhirResult(found)
            : FhirResult.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound,
                $"Questionnaire/{Short(id)} is not known (or belongs to a coverage assertion of another client).");

    private static async Task<FhirResult> SearchQuestionnairesAsync(HttpContext http, DocumentationService documentation, CancellationToken cancellationToken)
    {
        var url = http.Request.Query["url"].ToString();
        var found = string.IsNullOrEmpty(url)
            ? documentation.MasterQuestionnaire
            : await documentation.FindQuestionnaireAsync(url, DtrAccess.Issuer(http), cancellationToken);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = found is null ? 0 : 1 };
        if (found is not null)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = found, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
        }

        return new FhirResult(bundle);
    }

    private static async Task<FhirResult> PackageAsync(HttpContext http, DocumentationService documentation, IOptions<CdsServicesOptions> limits, CancellationToken cancellationToken)
    {
        var (parameters, problem) = await ReadAsync<Parameters>(http, limits.Value.MaxRequestBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var coverage = parameters!.Parameter.Where(p => p.Name == "coverage").Select(p => p.Resource).ToList();
        if (coverage.Count == 0 || coverage.Any(c => c is not Hl7.Fhir.Model.Coverage))
        {
            return FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required,
                "The 'coverage' parameter (a Coverage resource) is required.", "Parameters.parameter.where(name='coverage')");
        }

        var coverages = coverage.Cast<Hl7.Fhir.Model.Coverage>().ToList();
        var context = parameters.Parameter.FirstOrDefault(p => p.Name == "context")?.Value?.ToString();
        var orders = parameters.Parameter.Where(p => p.Name == "order").Select(p => p.Resource).OfType<Resource>().ToList();
        var canonicals = parameters.Parameter.Where(p => p.Name == "questionnaire").Select(p => p.Value?.ToString()).OfType<string>().ToList();
        if (context is null && orders.Count == 0 && canonicals.Count == 0)
        {
            // dtr-1: at least one of order, questionnaire, context.
            return FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required,
                "Send at least one of 'order', 'questionnaire' or 'context' (dtr-1).", "Parameters");
        }

        DateTimeOffset? changedSince = null;
        if (parameters.Parameter.FirstOrDefault(p => p.Name == "changedsince")?.Value is { } since)
        {
            if (since is not Instant { Value: { } instant } && !DateTimeOffset.TryParse(since.ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out instant))
            {
                return FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Value,
                    "'changedsince' must be an instant.", "Parameters.parameter.where(name='changedsince')");
            }

            changedSince = instant;
        }

        var unknown = canonicals.FirstOrDefault(c => !documentation.IsOurQuestionnaire(c));
        if (unknown is not null)
        {
            return FhirResult.Outcome(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.NotFound,
                $"Questionnaire {Short(unknown)} is not one this payer publishes (ours: {documentation.MasterQuestionnaire.Url}).", "Parameters.parameter.where(name='questionnaire')");
        }

        // A tailored canonical (url|version from a draft) names its assertion as the context does.
        context ??= canonicals.Select(documentation.AssertionOfCanonical).FirstOrDefault(a => a is not null);
        if (context is null)
        {
            foreach (var order in orders)
            {
                var patient = PatientOf(order);
                if (patient is not null && await documentation.AssertionForOrderAsync(patient, order.TypeName + "/" + order.Id, DtrAccess.Issuer(http), cancellationToken) is { } found)
                {
                    context = found;
                    break;
                }
            }
        }

        if (context is null && canonicals.Count > 0)
        {
            // The canonical from coverage-information without an assertion: the master questionnaire, untailored.
            var master = documentation.MasterPackage(coverages[0], orders, changedSince);
            return new FhirResult(master.Resource, master.StatusCode);
        }

        if (context is null)
        {
            return FhirResult.Outcome(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.NotFound,
                "No coverage assertion that asked for documentation matches this request. Send the coverage-assertion-id from the CRD response as 'context' (questionnaires here are tailored to what each assertion left unknown).",
                "Parameters.parameter.where(name='context')");
        }

        // Asking for the adaptive form's canonical gets the adaptive form of the same tailoring.
        var result = await documentation.PackageAsync(context, DtrAccess.Issuer(http), cancellationToken, coverages, changedSince, canonicals.Any(documentation.IsAdaptive));
        return new FhirResult(result.Resource, result.StatusCode);
    }

    private static async Task<FhirResult> NextQuestionAsync(HttpContext http, DocumentationService documentation, IOptions<CdsServicesOptions> limits, CancellationToken cancellationToken)
    {
        var (resource, problem) = await ReadAsync<Resource>(http, limits.Value.MaxRequestBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // The operation's input parameter 'questionnaire-response'; a bare QuestionnaireResponse is accepted too.
        var response = resource as QuestionnaireResponse
            ?? (resource as Parameters)?.Parameter.FirstOrDefault(p => p.Name == "questionnaire-response")?.Resource as QuestionnaireResponse;
        if (response is null)
        {
            return FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required,
                "Send a Parameters with a 'questionnaire-response' (a QuestionnaireResponse with the Questionnaire contained).", "Parameters.parameter.where(name='questionnaire-response')");
        }

        var result = await documentation.NextQuestionAsync(response, DtrAccess.Issuer(http), cancellationToken);
        return new FhirResult(result.Resource, result.StatusCode);
    }

    private static async Task<FhirResult> ReceiveAsync(HttpContext http, DocumentationService documentation, IOptions<CdsServicesOptions> limits, CancellationToken cancellationToken)
    {
        if (UnsupportedFormat(http.Request) is { } unsupported)
        {
            return unsupported;
        }

        byte[] body;
        try
        {
            body = await RequestBody.ReadAsync(http.Request, limits.Value.MaxRequestBodyBytes, cancellationToken);
        }
        catch (RequestBodyTooLargeException ex)
        {
            return FhirResult.Outcome(StatusCodes.Status413PayloadTooLarge, OperationOutcome.IssueType.TooLong, ex.Message);
        }

        var (response, problem) = Parse<QuestionnaireResponse>(body);
        if (problem is not null)
        {
            return problem;
        }

        var client = DtrAccess.ClientId(http);
        var result = await documentation.ReceiveAsync(response!, System.Text.Encoding.UTF8.GetString(body), client, DtrAccess.Issuer(http), cancellationToken);
        return new FhirResult(result.Resource, result.StatusCode, result.Location);
    }

    private static async Task<FhirResult> ReadCaseStatusAsync(string id, HttpContext http, DocumentationService documentation, CancellationToken cancellationToken) =>
        await documentation.CaseAsync(id, null, DtrAccess.Issuer(http), cancellationToken) is { } found
            ? new FhirResult(CaseStatusResource.From(found))
            : FhirResult.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"ClaimResponse/{Short(id)} is not known.");

    private static async Task<FhirResult> SearchCaseStatusAsync(HttpContext http, DocumentationService documentation, CancellationToken cancellationToken)
    {
        var identifier = http.Request.Query["identifier"].ToString();
        var value = identifier.Contains('|', StringComparison.Ordinal) ? identifier[(identifier.LastIndexOf('|') + 1)..] : identifier;
        if (string.IsNullOrWhiteSpace(value))
        {
            return FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required,
                "Search by identifier (the coverage-assertion-id): ClaimResponse?identifier=...", "identifier");
        }

        var found = await documentation.CaseAsync(null, value, DtrAccess.Issuer(http), cancellationToken);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = found is null ? 0 : 1 };
        if (found is not null)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = CaseStatusResource.From(found), Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
        }

        return new FhirResult(bundle);
    }

    /// <summary>Reads a FHIR JSON body of the expected type (415 for XML, 413 when too large, 400 when malformed).</summary>
    internal static Task<(T? Resource, FhirResult? Problem)> ReadBodyAsync<T>(HttpContext http, long limit, CancellationToken cancellationToken)
        where T : Resource => ReadAsync<T>(http, limit, cancellationToken);

    private static async Task<(T? Resource, FhirResult? Problem)> ReadAsync<T>(HttpContext http, long limit, CancellationToken cancellationToken)
        where T : Resource
    {
        if (UnsupportedFormat(http.Request) is { } unsupported)
        {
            return (null, unsupported);
        }

        try
        {
            return Parse<T>(await RequestBody.ReadAsync(http.Request, limit, cancellationToken));
        }
        catch (RequestBodyTooLargeException ex)
        {
            return (null, FhirResult.Outcome(StatusCodes.Status413PayloadTooLarge, OperationOutcome.IssueType.TooLong, ex.Message));
        }
    }

    /// <summary>Only FHIR JSON is read (the CapabilityStatement says so): an XML body is 415, not a parse error.</summary>
    private static FhirResult? UnsupportedFormat(HttpRequest request) =>
        request.ContentType is { } type && type.Contains("xml", StringComparison.OrdinalIgnoreCase)
            ? FhirResult.Outcome(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                $"Content-Type '{type}' is not supported; send application/fhir+json.")
            : null;

    /// <summary>Strict FHIR parsing; a failure names what is wrong.</summary>
    private static (T? Resource, FhirResult? Problem) Parse<T>(byte[] body)
        where T : Resource
    {
        try
        {
            var resource = JsonSerializer.Deserialize<Resource>(body, FhirResult.Json);
            return resource is T typed
                ? (typed, null)
                : (null, FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, $"Expected a {typeof(T).Name} resource, got {resource?.TypeName ?? "nothing"}."));
        }
        catch (DeserializationFailedException ex)
        {
            var outcome = new OperationOutcome();
            foreach (var issue in ex.Exceptions.Take(20))
            {
                outcome.Issue.Add(new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = OperationOutcome.IssueType.Structure,
                    Diagnostics = issue.Message,
                    Expression = (issue as Hl7.Fhir.Utility.ExtendedCodedException)?.InstancePath is { } path ? [path] : [],
                });
            }

            return (null, new FhirResult(outcome, StatusCodes.Status400BadRequest));
        }
        catch (JsonException ex)
        {
            return (null, FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Structure, "The body is not valid JSON: " + ex.Message.Split('\n')[0]));
        }
    }

    /// <summary>The patient an order is for (the request kinds CRD hooks carry).</summary>
    private static string? PatientOf(Resource order) => order switch
    {
        ServiceRequest r => r.Subject?.Reference,
        DeviceRequest r => r.Subject?.Reference,
        MedicationRequest r => r.Subject?.Reference,
        NutritionOrder r => r.Patient?.Reference,
        VisionPrescription r => r.Patient?.Reference,
        CommunicationRequest r => r.Subject?.Reference,
        _ => null,
    };

    private static string Short(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
