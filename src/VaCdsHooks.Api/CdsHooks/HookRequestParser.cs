using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.CdsHooks;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>The outcome of reading a hook body: a call, or the fields that are wrong.</summary>
/// <param name="Unparsable">True when the body is not JSON or not a JSON object (400); otherwise errors are 422.</param>
public sealed record HookParseResult(HookCall? Call, IDictionary<string, string[]> Errors, bool Unparsable = false)
{
    public static HookParseResult Fail(string field, string message) => new(null, new Dictionary<string, string[]> { [field] = [message] });

    public static HookParseResult NotJson(string field, string message) => new(null, new Dictionary<string, string[]> { [field] = [message] }, Unparsable: true);
}

/// <summary>
/// Reads a CDS Hooks 2.0 request once (Firely's CDS Hooks converters, FHIR read leniently where the meaning is
/// clear: see <see cref="CdsHooksJson.ToleratedIssues"/>) and checks it against the hook's context definition. Unknown root fields, context fields and configuration options are ignored.
/// </summary>
public static partial class HookRequestParser
{
    private const string ConfigurationExtension = "davinci-crd.configuration";

    // FHIR id: 1-64 of [A-Za-z0-9-.]; anything else could smuggle query syntax into the templates.
    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FhirId();

    // Type/id relative reference, as order-select selections and order-dispatch orders are given.
    [GeneratedRegex("^[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\\-\\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativeReference();

    public static HookParseResult Parse(ReadOnlySpan<byte> body, CdsServiceDefinition service, Func<Resource, bool> isInScope)
    {
        CrdHookRequest? request;
        IReadOnlyList<string> unusablePrefetch = [];
        try
        {
            request = JsonSerializer.Deserialize<CrdHookRequest>(body, CdsHooksJson.Options);
        }
        catch (JsonException ex)
        {
            if (ReadObject(body) is not { } root)
            {
                // CRD (as FHIR create): 400 only when the body cannot be parsed at all.
                return HookParseResult.NotJson(FieldFromPath(ex.Path), "The body is not a JSON object: " + FirstLine(ex.Message));
            }

            if (ex.Path is not { } path || !path.StartsWith("$.prefetch", StringComparison.Ordinal))
            {
                return HookParseResult.Fail(FieldFromPath(ex.Path), "The body is not a valid CDS Hooks request: " + FirstLine(ex.Message));
            }

            (request, unusablePrefetch, var error) = ReadWithoutUnusablePrefetch(root);
            if (error is not null)
            {
                return error;
            }
        }
        catch (Exception ex) when (ex is DeserializationFailedException or InvalidOperationException)
        {
            // Only prefetch carries FHIR at this level (Firely throws InvalidOperationException for a JSON array
            // where a resource belongs): one unusable entry must not sink the whole hook.
            if (ReadObject(body) is not { } root)
            {
                return HookParseResult.NotJson("$", "The body must be a JSON object.");
            }

            (request, unusablePrefetch, var error) = ReadWithoutUnusablePrefetch(root);
            if (error is not null)
            {
                return error;
            }
        }

        if (request is null)
        {
            return HookParseResult.NotJson("$", "The body must be a JSON object.");
        }

        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(request.Hook))
        {
            Error("hook", "hook is required.");
        }
        else if (!string.Equals(request.Hook, service.Hook, StringComparison.Ordinal))
        {
            Error("hook", $"This service answers '{service.Hook}', not '{request.Hook}'.");
        }

        if (string.IsNullOrWhiteSpace(request.HookInstance))
        {
            Error("hookInstance", "hookInstance is required.");
        }
        else if (!Guid.TryParse(request.HookInstance, out _))
        {
            Error("hookInstance", "hookInstance must be a UUID.");
        }

        if (request.FhirServer is { } server && (!server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp)))
        {
            Error("fhirServer", "fhirServer must be an absolute http(s) URL.");
        }

        if (request.FhirAuthorization is { } auth)
        {
            if (request.FhirServer is null)
            {
                Error("fhirServer", "fhirServer is required when fhirAuthorization is given.");
            }

            if (string.IsNullOrWhiteSpace(auth.AccessToken))
            {
                Error("fhirAuthorization.access_token", "access_token is required.");
            }

            if (!string.Equals(auth.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                Error("fhirAuthorization.token_type", "token_type must be 'Bearer'.");
            }
        }

        var context = request.Context;
        if (context is null)
        {
            Error("context", "context is required.");
            return new HookParseResult(null, errors);
        }

        if (string.IsNullOrWhiteSpace(context.PatientId))
        {
            Error("context.patientId", "context.patientId is required.");
        }
        else if (!FhirId().IsMatch(context.PatientId))
        {
            Error("context.patientId", "context.patientId must be a FHIR id.");
        }

        var inlineOrders = new List<Resource>();
        var orderReferences = new List<string>();
        switch (service.Hook)
        {
            case CrdHooks.OrderSign:
                RequireUser(context.UserId, Error);
                ReadBundle(context, "draftOrders", inlineOrders, isInScope, Error);
                break;
            case CrdHooks.OrderSelect:
                RequireUser(context.UserId, Error);
                ReadBundle(context, "draftOrders", inlineOrders, isInScope, Error);
                var selections = ReadReferences(context, "selections", Error);
                if (selections is not null)
                {
                    // order-select speaks about the selected orders only.
                    var selected = selections.ToHashSet(StringComparer.Ordinal);
                    inlineOrders.RemoveAll(o => !selected.Contains(o.TypeName + "/" + o.Id));
                }

                break;
            case CrdHooks.OrderDispatch:
                ReadDispatchedOrders(context, inlineOrders, orderReferences, isInScope, Error);
                if (!TryField(context, "performer", out var performer) || performer.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(performer.GetString()))
                {
                    Error("context.performer", "context.performer is required (e.g. 'Practitioner/123').");
                }

                break;
            case CrdHooks.AppointmentBook:
                RequireUser(context.UserId, Error);
                ReadBundle(context, "appointments", inlineOrders, isInScope, Error);
                break;
        }

        if (errors.Count > 0)
        {
            return new HookParseResult(null, errors);
        }

        return new HookParseResult(new HookCall
        {
            Service = service,
            Request = request,
            PatientId = context.PatientId!,
            InlineOrders = inlineOrders,
            OrderReferences = orderReferences,
            Options = ReadOptions(request),
            UnusablePrefetch = unusablePrefetch,
            FhirServer = request.FhirServer,
            AccessToken = request.FhirAuthorization?.AccessToken,
        }, errors);
    }

    private static bool TryField(Hl7.Fhir.Model.CdsHooks.Context context, string name, out JsonElement element)
    {
        if (context.Fields is { } fields && fields.TryGetValue(name, out element))
        {
            return true;
        }

        element = default;
        return false;
    }

    private static void RequireUser(string? userId, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(userId))
        {
            error("context.userId", "context.userId is required for this hook.");
        }
    }

    /// <summary>
    /// Reads an order Bundle (leniently, as all EHR FHIR). EHRs (and the CRD conformance kit's own examples) send orders that are not
    /// strictly valid R4; an invalid order we do not decide on is not our business and is passed on as read, but
    /// an invalid order in our scope is refused, because we would be answering about something we cannot read.
    /// </summary>
    private static void ReadBundle(Hl7.Fhir.Model.CdsHooks.Context context, string name, List<Resource> into, Func<Resource, bool> isInScope, Action<string, string> error)
    {
        var field = "context." + name;
        if (!TryField(context, name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            error(field, field + " is required.");
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            error(field, field + " must be a FHIR Bundle.");
            return;
        }

        Bundle? bundle;
        try
        {
            bundle = ReadFhir(element) as Bundle;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error(field, field + " is not valid FHIR R4: " + FirstLine(ex.Message));
            return;
        }
        catch (DeserializationFailedException ex)
        {
            bundle = ex.PartialResult as Bundle;
            string? problem = null;
            if (bundle is null || !OnlyOutOfScopeEntriesFailed(ex, bundle, isInScope, out problem))
            {
                error(field, field + " is not valid FHIR R4: " + FirstLine(problem ?? ex.Message));
                return;
            }
        }

        if (bundle is null)
        {
            error(field, field + " must be a FHIR Bundle.");
            return;
        }

        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is { } resource)
            {
                into.Add(resource);
            }
        }
    }

    private static bool OnlyOutOfScopeEntriesFailed(DeserializationFailedException ex, Bundle partial, Func<Resource, bool> isInScope, out string? problem)
    {
        foreach (var issue in ex.Exceptions)
        {
            var path = (issue as ExtendedCodedException)?.InstancePath;
            if (path is "$this.type" or "Bundle.type")
            {
                // The Bundle is only a wrapper for the orders; EHRs often leave its type out.
                continue;
            }

            var match = path is null ? null : EntryPath().Match(path);
            if (match is null || !match.Success)
            {
                problem = issue.Message;
                return false;
            }

            var index = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            if (match.Groups[2].Success || index >= partial.Entry.Count || !SurelyOutOfScope(partial.Entry[index], isInScope))
            {
                problem = issue.Message;
                return false;
            }
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Whether a partly read order is certainly not ours. Reading a broken element can throw; an order we cannot
    /// judge is refused (422) rather than guessed about or left to fail later.
    /// </summary>
    private static bool SurelyOutOfScope(Bundle.EntryComponent entry, Func<Resource, bool> isInScope)
    {
        try
        {
            return entry.Resource is { } resource && !isInScope(resource);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    // Group 2: the issue is inside the order's code, the element that decides whether the order is ours.
    [GeneratedRegex("^Bundle\\.entry\\[(\\d+)\\]\\.resource(\\.code\\b)?", RegexOptions.CultureInvariant)]
    private static partial Regex EntryPath();

    private static List<string>? ReadReferences(Hl7.Fhir.Model.CdsHooks.Context context, string name, Action<string, string> error)
    {
        var field = "context." + name;
        if (!TryField(context, name, out var element) || element.ValueKind != JsonValueKind.Array)
        {
            error(field, field + " is required and must be an array of references.");
            return null;
        }

        var list = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !RelativeReference().IsMatch(item.GetString()!))
            {
                error(field, field + " must hold references such as 'ServiceRequest/123'.");
                return null;
            }

            list.Add(item.GetString()!);
        }

        return list;
    }

    /// <summary>
    /// order-dispatch names its orders in <c>dispatchedOrders</c> (references; CRD's profile also allows a Bundle);
    /// the conformance kit's example sends a single <c>order</c> reference, which we accept too.
    /// </summary>
    private static void ReadDispatchedOrders(Hl7.Fhir.Model.CdsHooks.Context context, List<Resource> inline, List<string> references, Func<Resource, bool> isInScope, Action<string, string> error)
    {
        if (TryField(context, "dispatchedOrders", out var dispatched))
        {
            if (dispatched.ValueKind == JsonValueKind.Object)
            {
                ReadBundle(context, "dispatchedOrders", inline, isInScope, error);
            }
            else if (ReadReferences(context, "dispatchedOrders", error) is { } list)
            {
                references.AddRange(list);
            }

            return;
        }

        if (TryField(context, "order", out var single) && single.ValueKind == JsonValueKind.String && RelativeReference().IsMatch(single.GetString()!))
        {
            references.Add(single.GetString()!);
            return;
        }

        error("context.dispatchedOrders", "context.dispatchedOrders is required (references of the dispatched orders).");
    }

    private static CrdRequestOptions ReadOptions(CrdHookRequest request)
    {
        if (request.Extension is null
            || !request.Extension.TryGetValue(ConfigurationExtension, out var configuration)
            || configuration.ValueKind != JsonValueKind.Object)
        {
            return CrdRequestOptions.Default;
        }

        var coverageInformation = true;
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in configuration.EnumerateObject())
        {
            // Only boolean card-type switches are ours; anything else is ignored, never an error.
            if (option.Value.ValueKind != JsonValueKind.False)
            {
                continue;
            }

            if (option.Name == "coverage-info")
            {
                coverageInformation = false;
            }
            else
            {
                disabled.Add(option.Name);
            }
        }

        return coverageInformation && disabled.Count == 0
            ? CrdRequestOptions.Default
            : new CrdRequestOptions(coverageInformation, disabled);
    }

    /// <summary>
    /// Reads a FHIR resource leniently (<see cref="CdsHooksJson.ToleratedIssues"/>). Whitespace around a primitive
    /// (<c>" 22513"</c>, <c>"final "</c>) has a clear meaning that FHIR forbids: when a value is refused as an invalid
    /// literal, the resource is read once more with its strings trimmed, and that reading counts.
    /// </summary>
    private static Resource? ReadFhir(JsonElement element)
    {
        try
        {
            return element.Deserialize<Resource>(CdsHooksJson.Fhir);
        }
        catch (DeserializationFailedException ex) when (ex.Exceptions.Any(IsInvalidLiteral))
        {
            return Trimmed(JsonNode.Parse(element.GetRawText())!)!.Deserialize<Resource>(CdsHooksJson.Fhir);
        }
    }

    /// <inheritdoc cref="ReadFhir(JsonElement)"/>
    private static Resource? ReadFhir(JsonNode node)
    {
        try
        {
            return node.Deserialize<Resource>(CdsHooksJson.Fhir);
        }
        catch (DeserializationFailedException ex) when (ex.Exceptions.Any(IsInvalidLiteral))
        {
            return Trimmed(node)!.Deserialize<Resource>(CdsHooksJson.Fhir);
        }
    }

    private static bool IsInvalidLiteral(CodedException issue) => issue is ExtendedCodedException { ErrorCode: "PVAL124" };

    private static JsonNode? Trimmed(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Trimmed(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Trimmed).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(v.GetValue<string>().Trim()),
        _ => node?.DeepClone(),
    };

    private static JsonObject? ReadObject(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The slow path after a prefetch entry failed: read the request without prefetch, then each entry on its own.
    /// An entry that is not usable FHIR is left out, so it counts as not prefetched (CDS Hooks: the service then
    /// reads it from fhirServer, or answers with what it knows).
    /// </summary>
    private static (CrdHookRequest? Request, IReadOnlyList<string> Unusable, HookParseResult? Error) ReadWithoutUnusablePrefetch(JsonObject root)
    {
        var prefetch = root["prefetch"];
        root.Remove("prefetch");
        CrdHookRequest? request;
        try
        {
            request = root.Deserialize<CrdHookRequest>(CdsHooksJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException or InvalidOperationException)
        {
            return (null, [], HookParseResult.Fail(FieldFromPath((ex as JsonException)?.Path), "The body is not a valid CDS Hooks request: " + FirstLine(ex.Message)));
        }

        if (request is null)
        {
            return (null, [], HookParseResult.NotJson("$", "The body must be a JSON object."));
        }

        var unusable = new List<string>();
        var entries = new Dictionary<string, Resource>(StringComparer.Ordinal);
        if (prefetch is JsonObject values)
        {
            foreach (var (key, value) in values)
            {
                if (value is null)
                {
                    entries[key] = null!; // CDS Hooks: null means the EHR has no data for this template.
                    continue;
                }

                try
                {
                    entries[key] = ReadFhir(value)!;
                }
                catch (Exception ex) when (ex is JsonException or DeserializationFailedException or InvalidOperationException)
                {
                    unusable.Add(key);
                }
            }
        }

        request.Prefetch = entries;
        return (request, unusable, null);
    }

    private static string FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "$";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string FirstLine(string message)
    {
        var line = message.AsSpan();
        var newline = line.IndexOfAny('\r', '\n');
        if (newline >= 0)
        {
            line = line[..newline];
        }

        return line.Length > 400 ? string.Concat(line[..400], "…") : line.ToString();
    }
}
