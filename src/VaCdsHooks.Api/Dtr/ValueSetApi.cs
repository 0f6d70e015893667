using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Coverage.Documentation;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// Our ValueSets on the DTR endpoint: read, search by url, and <c>ValueSet/$expand</c> (a SHALL of the DTR payer
/// CapabilityStatement) by url (GET or POST) or by id. Only our own published sets are known; a set defined by
/// patterns cannot be enumerated here (422 too-costly).
/// </summary>
public static class ValueSetApi
{
    public static RouteGroupBuilder MapValueSetApi(this RouteGroupBuilder valueSets)
    {
        valueSets.MapGet("/$expand", ExpandByQuery).WithSummary("ValueSet/$expand by canonical url.");
        valueSets.MapPost("/$expand", ExpandByParametersAsync).DisableAntiforgery().WithSummary("ValueSet/$expand with a Parameters body (url).");
        valueSets.MapGet("/{id}/$expand", ExpandById).WithSummary("ValueSet/{id}/$expand.");
        valueSets.MapPost("/{id}/$expand", ExpandById).DisableAntiforgery().WithSummary("ValueSet/{id}/$expand.");
        valueSets.MapGet("/{id}", Read).WithSummary("Read one of our ValueSets.");
        valueSets.MapGet("/", Search).WithSummary("Find our ValueSets by canonical url.");
        return valueSets;
    }

    private static FhirResult Read(string id, ValueSetExpansion valueSets) =>
        valueSets.FindById(id) is { } found
            ? new FhirResult(found)
            : NotFound($"ValueSet/{Short(id)}");

    private static FhirResult Search(HttpRequest request, ValueSetExpansion valueSets)
    {
        var url = request.Query["url"].ToString();
        var found = string.IsNullOrEmpty(url) ? null : valueSets.Find(url);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = found is null ? 0 : 1 };
        if (found is not null)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = found, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
        }

        return new FhirResult(bundle);
    }

    private static FhirResult ExpandByQuery(HttpRequest request, ValueSetExpansion valueSets, TimeProvider time)
    {
        var url = request.Query["url"].ToString();
        return string.IsNullOrEmpty(url)
            ? FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, "Name the ValueSet: ValueSet/$expand?url=...", "url")
            : Expand(url, valueSets, time);
    }

    private static async Task<FhirResult> ExpandByParametersAsync(HttpContext http, ValueSetExpansion valueSets, TimeProvider time, IOptions<CdsServicesOptions> limits, CancellationToken cancellationToken)
    {
        // Some clients still send ?url= with an empty POST body.
        if (http.Request.Query["url"].ToString() is { Length: > 0 } queried)
        {
            return Expand(queried, valueSets, time);
        }

        var (parameters, problem) = await DtrApi.ReadBodyAsync<Parameters>(http, limits.Value.MaxRequestBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var url = parameters!.Parameter.FirstOrDefault(p => p.Name == "url")?.Value?.ToString()
            ?? (parameters.Parameter.FirstOrDefault(p => p.Name == "valueSet")?.Resource as ValueSet)?.Url;
        return url is null
            ? FhirResult.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Required, "Send the 'url' parameter (the ValueSet's canonical).", "Parameters.parameter.where(name='url')")
            : Expand(url, valueSets, time);
    }

    private static FhirResult ExpandById(string id, ValueSetExpansion valueSets, TimeProvider time) =>
        valueSets.FindById(id) is { Url: { } url }
            ? Expand(url, valueSets, time)
            : NotFound($"ValueSet/{Short(id)}");

    private static FhirResult Expand(string canonical, ValueSetExpansion valueSets, TimeProvider time)
    {
        if (valueSets.Find(canonical) is not { } published)
        {
            return NotFound($"ValueSet {Short(canonical)}");
        }

        var version = canonical.Split('|') is [_, var v] ? v : null;
        if (version is not null && version != published.Version)
        {
            return NotFound($"ValueSet {Short(canonical)} (we publish version {published.Version})");
        }

        return valueSets.Expand(published.Url!, time.GetUtcNow()) is { } expanded
            ? new FhirResult(expanded)
            : FhirResult.Outcome(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.TooCostly,
                $"ValueSet {published.Url} is defined by code patterns and cannot be enumerated; evaluate its compose with a terminology server.", "url");
    }

    private static FhirResult NotFound(string what) =>
        FhirResult.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"{what} is not known here.");

    private static string Short(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
