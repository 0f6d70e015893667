using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Coverage.Records;

namespace VaCdsHooks.Api.Ehr;

/// <summary>The record and the orders the hook speaks about, ready for the coverage decision.</summary>
public sealed record AssembledCall(PatientRecord Record, IReadOnlyList<Resource> Orders, IReadOnlyList<string> UnreadableOrders, int FetchedTemplates);

/// <summary>
/// Prefetch-or-fetch: takes what the EHR prefetched and reads every missing template from the EHR's FHIR server
/// with the access token it gave us, in parallel, within one time budget. Only FHIR servers registered for the
/// calling client are contacted, and paging never leaves that server. Failures become record gaps, never errors.
/// </summary>
public sealed partial class PatientRecordAssembler(
    IHttpClientFactory httpClients,
    IOptions<CdsServicesOptions> options,
    ILogger<PatientRecordAssembler> logger)
{
    public const string HttpClientName = "ehr-fhir";

    private static readonly FhirClientSettings ClientSettings = new()
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        ReturnPreference = ReturnPreference.Representation,
        // The same reading as prefetch (strict but for the tolerated issues): a malformed answer fails to parse and
        // becomes a gap, instead of a resource whose elements throw when the engine reads them.
        SerializationEngine = FhirSerializationEngineFactory.Custom(
            ModelInfo.ModelInspector,
            ForFetch(new FhirJsonConverterOptions()),
            ForFetch(new DeserializerSettings())),
    };

    private static T ForFetch<T>(T settings)
        where T : DeserializerSettings
    {
        settings.UsingMode(DeserializationMode.Strict).Ignoring(CdsHooksJson.ToleratedIssues);
        return settings;
    }

    /// <param name="call">The validated hook call.</param>
    /// <param name="fhirServerAllowed">Whether the calling client may make us read from <see cref="HookCall.FhirServer"/>.</param>
    public async Task<AssembledCall> AssembleAsync(HookCall call, bool fhirServerAllowed, CancellationToken cancellationToken)
    {
        var prefetch = call.Request.Prefetch ?? [];
        var resources = new List<Resource?>();
        var gaps = new List<RecordGap>();
        var missing = new List<PrefetchTemplate>();

        foreach (var template in CdsServiceCatalog.Templates.Values)
        {
            if (!prefetch.TryGetValue(template.Key, out var value))
            {
                missing.Add(template);
                continue;
            }

            switch (value)
            {
                case null:
                    // CDS Hooks: null means the EHR has no data for the template.
                    break;
                case OperationOutcome:
                    gaps.Add(new RecordGap(template.Key, template.ResourceType, $"The EHR reported an error instead of the {template.ResourceType} data."));
                    break;
                default:
                    resources.Add(value);
                    break;
            }
        }

        // Orders named by reference (order-dispatch) may be in prefetch under any key.
        var orders = new List<Resource>(call.InlineOrders);
        var unreadableOrders = new List<string>();
        var referencesToRead = new List<string>();
        foreach (var reference in call.OrderReferences)
        {
            var found = prefetch.Values.OfType<Resource>().SelectMany(Unwrap).FirstOrDefault(r => r.TypeName + "/" + r.Id == reference);
            if (found is not null)
            {
                orders.Add(found);
            }
            else
            {
                referencesToRead.Add(reference);
            }
        }

        var fetched = 0;
        if (missing.Count > 0 || referencesToRead.Count > 0)
        {
            var client = CreateClient(call, fhirServerAllowed, out var whyNot);
            if (client is null)
            {
                gaps.AddRange(missing.Select(t => new RecordGap(t.Key, t.ResourceType,
                    (call.UnusablePrefetch.Contains(t.Key) ? "The prefetched data was not usable FHIR and " : "It was not prefetched and ") + whyNot)));
                unreadableOrders.AddRange(referencesToRead);
            }
            else
            {
                using (client)
                {
                    fetched = missing.Count;
                    await FetchAsync(client, call, missing, referencesToRead, resources, gaps, orders, unreadableOrders, cancellationToken);
                }
            }
        }

        var record = PatientRecord.Assemble(call.PatientId, resources, gaps);
        if (record.IgnoredForeignResources.Count > 0)
        {
            LogForeignResources(logger, call.Request.HookInstance, record.IgnoredForeignResources.Count);
        }

        return new AssembledCall(record, orders, unreadableOrders, fetched);
    }

    private FhirClient? CreateClient(HookCall call, bool fhirServerAllowed, out string? whyNot)
    {
        if (call.FhirServer is null || string.IsNullOrEmpty(call.AccessToken))
        {
            whyNot = "the EHR gave no FHIR server access to read it.";
            return null;
        }

        if (!fhirServerAllowed)
        {
            // Never let a caller point us at an arbitrary URL (server-side request forgery).
            LogServerNotAllowed(logger, call.Request.HookInstance, call.FhirServer.Host);
            whyNot = "the EHR's FHIR server is not registered for this client.";
            return null;
        }

        whyNot = null;
        var http = httpClients.CreateClient(HttpClientName);
        var client = new FhirClient(call.FhirServer, http, ClientSettings);
        client.RequestHeaders!.Authorization = new AuthenticationHeaderValue("Bearer", call.AccessToken);
        return client;
    }

    private async System.Threading.Tasks.Task FetchAsync(
        FhirClient client,
        HookCall call,
        List<PrefetchTemplate> missing,
        List<string> referencesToRead,
        List<Resource?> resources,
        List<RecordGap> gaps,
        List<Resource> orders,
        List<string> unreadableOrders,
        CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.FetchBudget);
        var started = Stopwatch.GetTimestamp();

        var templateTasks = missing.Select(t => ReadTemplateAsync(client, call, t, budget.Token)).ToArray();
        var orderTasks = referencesToRead.Select(r => ReadOrderAsync(client, r, budget.Token)).ToArray();

        var templateResults = await System.Threading.Tasks.Task.WhenAll(templateTasks);
        var orderResults = await System.Threading.Tasks.Task.WhenAll(orderTasks);

        foreach (var (template, result) in missing.Zip(templateResults))
        {
            if (result.Gap is { } gap)
            {
                gaps.Add(new RecordGap(template.Key, template.ResourceType, gap));
            }

            resources.AddRange(result.Resources);
        }

        foreach (var (reference, order) in referencesToRead.Zip(orderResults))
        {
            if (order is null)
            {
                unreadableOrders.Add(reference);
            }
            else
            {
                orders.Add(order);
            }
        }

        LogFetched(logger, call.Request.HookInstance, missing.Count, referencesToRead.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private readonly record struct TemplateResult(List<Resource> Resources, string? Gap);

    private async Task<TemplateResult> ReadTemplateAsync(FhirClient client, HookCall call, PrefetchTemplate template, CancellationToken token)
    {
        var found = new List<Resource>();
        try
        {
            var result = await client.GetAsync(template.Resolve(call.PatientId), token);
            var pages = 1;
            while (result is Bundle bundle)
            {
                found.AddRange(Unwrap(bundle));
                var next = bundle.NextLink;
                if (next is null)
                {
                    return new TemplateResult(found, null);
                }

                if (pages >= options.Value.MaxPagesPerQuery)
                {
                    return new TemplateResult(found, $"Only the first {pages} pages of {template.ResourceType} data were read.");
                }

                var nextUri = next.IsAbsoluteUri ? next : new Uri(client.Endpoint, next);
                if (!IsUnder(nextUri, client.Endpoint))
                {
                    // A paging link to another host is not followed: the token must not travel there.
                    LogForeignNextLink(logger, call.Request.HookInstance, template.Key);
                    return new TemplateResult(found, $"The EHR's next page of {template.ResourceType} data pointed outside its FHIR server and was not read.");
                }

                result = await client.ContinueAsync(bundle, PageDirection.Next, token);
                pages++;
            }

            if (result is not null and not OperationOutcome)
            {
                found.Add(result);
            }

            return new TemplateResult(found, null);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            return new TemplateResult(found, $"The EHR did not return the {template.ResourceType} data in time.");
        }
        catch (EhrResponseTooLargeException ex)
        {
            LogFetchFailed(logger, call.Request.HookInstance, template.Key, ex.GetType().Name);
            return new TemplateResult(found, $"The EHR's {template.ResourceType} data was larger than the {ex.Limit} bytes read from one answer, so it was not read.");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new TemplateResult(found, $"The EHR's FHIR server kept failing, so the {template.ResourceType} data was not asked for.");
        }
        catch (FhirOperationException ex) when (ex.Status == HttpStatusCode.NotFound && template.IsRead)
        {
            return new TemplateResult(found, null);
        }
        catch (Exception ex) when (ex is FhirOperationException or HttpRequestException or FormatException or Hl7.Fhir.Serialization.DeserializationFailedException or System.Text.Json.JsonException)
        {
            LogFetchFailed(logger, call.Request.HookInstance, template.Key, ex.GetType().Name);
            return new TemplateResult(found, $"The EHR's FHIR server returned an error for the {template.ResourceType} data.");
        }
    }

    private async Task<Resource?> ReadOrderAsync(FhirClient client, string reference, CancellationToken token)
    {
        try
        {
            return await client.GetAsync(reference, token) is { } resource and not OperationOutcome and not Bundle ? resource : null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or Polly.ExecutionRejectedException or FhirOperationException or HttpRequestException or FormatException or Hl7.Fhir.Serialization.DeserializationFailedException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<Resource> Unwrap(Resource resource) => resource is Bundle bundle
        ? bundle.Entry.Select(e => e.Resource).OfType<Resource>().Where(r => r is not OperationOutcome)
        : [resource];

    private static bool IsUnder(Uri candidate, Uri baseUri)
    {
        if (!string.Equals(candidate.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(candidate.Host, baseUri.Host, StringComparison.OrdinalIgnoreCase)
            || candidate.Port != baseUri.Port)
        {
            return false;
        }

        var basePath = baseUri.AbsolutePath.TrimEnd('/') + "/";
        return candidate.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal) || candidate.AbsolutePath == baseUri.AbsolutePath.TrimEnd('/');
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {HookInstance}: dropped {Count} resources about another patient")]
    private static partial void LogForeignResources(ILogger logger, string? hookInstance, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {HookInstance}: fhirServer host {Host} is not registered for the calling client; nothing fetched")]
    private static partial void LogServerNotAllowed(ILogger logger, string? hookInstance, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {HookInstance}: next link for {Template} leaves the FHIR server; not followed")]
    private static partial void LogForeignNextLink(ILogger logger, string? hookInstance, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {HookInstance}: reading {Template} from the EHR failed ({Error})")]
    private static partial void LogFetchFailed(ILogger logger, string? hookInstance, string template, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hook {HookInstance}: fetched {Templates} templates and {Orders} orders from the EHR in {ElapsedMs:F1} ms")]
    private static partial void LogFetched(ILogger logger, string? hookInstance, int templates, int orders, double elapsedMs);
}
