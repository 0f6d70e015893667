using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// The EHR's FHIR server for fetch mode, in-process: the chart's Patient by id, and for any search the chart's
/// resources of the searched type as a searchset Bundle (filters are not applied: the chart is one patient's, and
/// the service filters what it reads). Answers are serialized once, so the stub costs next to nothing per call.
/// </summary>
public sealed class StubFhirServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;

    private StubFhirServer(WebApplication app) => _app = app;

    /// <summary>Requests answered so far (to show the service really fetched).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public static async Task<StubFhirServer> StartAsync(Uri baseUrl, IReadOnlyList<Resource> chart)
    {
        var basePath = baseUrl.AbsolutePath.TrimEnd('/');
        var byId = chart.Where(r => r.Id is not null).ToDictionary(r => r.TypeName + "/" + r.Id, Serialize, StringComparer.Ordinal);
        var searches = chart.Select(r => r.TypeName).Distinct().ToDictionary(type => type, type => Serialize(new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Total = chart.Count(r => r.TypeName == type),
            Entry = chart.Where(r => r.TypeName == type)
                .Select(r => new Bundle.EntryComponent
                {
                    FullUrl = $"{baseUrl.ToString().TrimEnd('/')}/{r.TypeName}/{r.Id}",
                    Resource = r,
                    Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
                })
                .ToList(),
        }), StringComparer.Ordinal);
        var empty = Serialize(new Bundle { Type = Bundle.BundleType.Searchset, Total = 0 });
        var notFound = Serialize(new OperationOutcome
        {
            Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.NotFound }],
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"{baseUrl.Scheme}://{baseUrl.Host}:{baseUrl.Port}");
        var app = builder.Build();
        var stub = new StubFhirServer(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref stub._requests);
            var path = context.Request.Path.Value ?? "";
            byte[] answer;
            var status = StatusCodes.Status200OK;
            if (!path.StartsWith(basePath + "/", StringComparison.Ordinal) || context.Request.Headers.Authorization.Count == 0)
            {
                (answer, status) = (notFound, path.StartsWith(basePath + "/", StringComparison.Ordinal) ? StatusCodes.Status401Unauthorized : StatusCodes.Status404NotFound);
            }
            else
            {
                var relative = path[(basePath.Length + 1)..].TrimEnd('/');
                if (relative.Contains('/', StringComparison.Ordinal))
                {
                    if (!byId.TryGetValue(relative, out answer!))
                    {
                        (answer, status) = (notFound, StatusCodes.Status404NotFound);
                    }
                }
                else
                {
                    answer = searches.GetValueOrDefault(relative, empty);
                }
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/fhir+json; charset=utf-8";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        });

        try
        {
            await app.StartAsync();
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new RunException($"cannot start the stub FHIR server on {baseUrl}: {ex.Message}");
        }

        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static byte[] Serialize(Resource resource) => JsonSerializer.SerializeToUtf8Bytes(resource, resource.GetType(), DemoHookRequest.FhirJson);
}
