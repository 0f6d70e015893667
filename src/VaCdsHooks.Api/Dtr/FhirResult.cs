using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.Metadata;
using System.Reflection;

namespace VaCdsHooks.Api.Dtr;

/// <summary>A FHIR resource as <c>application/fhir+json</c>, serialized with the Firely SDK.</summary>
public sealed class FhirResult(Resource resource, int statusCode = StatusCodes.Status200OK, string? location = null)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public const string FhirJson = "application/fhir+json";

    public static JsonSerializerOptions Json { get; } = new JsonSerializerOptions().ForFhir();

    public Resource Resource { get; } = resource;

    public int? StatusCode { get; } = statusCode;

    public string ContentType => FhirJson + "; charset=utf-8";

    public async System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode ?? StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }

        await JsonSerializer.SerializeAsync(httpContext.Response.Body, Resource, Resource.GetType(), Json, httpContext.RequestAborted);
    }

    /// <summary>An OperationOutcome with one issue, the FHIR way of saying what went wrong.</summary>
    public static FhirResult Outcome(int statusCode, OperationOutcome.IssueType code, string diagnostics, string? expression = null) =>
        new(OperationOutcomeFor(code, diagnostics, expression), statusCode);

    public static OperationOutcome OperationOutcomeFor(OperationOutcome.IssueType code, string diagnostics, string? expression = null, OperationOutcome.IssueSeverity severity = OperationOutcome.IssueSeverity.Error) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = severity,
                Code = code,
                Diagnostics = diagnostics,
                Expression = expression is null ? [] : [expression],
            },
        ],
    };

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Resource), [FhirJson]));
}
