using System.Text.Json;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;

namespace VaCdsHooks.Trust;

/// <summary>Writes the FHIR OperationOutcome that the DTR FHIR endpoints answer a refused request with.</summary>
internal static class FhirOutcomeResponses
{
    public const string FhirJsonContentType = "application/fhir+json; charset=utf-8";

    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir();

    public static async Task WriteAsync(HttpResponse response, int statusCode, OperationOutcome.IssueType issueType, string diagnostics)
    {
        var outcome = new OperationOutcome
        {
            Issue =
            [
                new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = issueType,
                    Diagnostics = diagnostics,
                },
            ],
        };

        response.StatusCode = statusCode;
        response.ContentType = FhirJsonContentType;
        response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(response.Body, outcome, FhirJson, response.HttpContext.RequestAborted);
    }
}
