using System.Text.Json;
using System.Text.Json.Serialization;
using Hl7.Fhir.Serialization;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>The one set of JSON options for CDS Hooks bodies (Firely's CDS Hooks converters, strict FHIR parsing).</summary>
public static class CdsHooksJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Strict FHIR parsing for resources carried inside CDS Hooks bodies (draftOrders, prefetch).</summary>
    public static JsonSerializerOptions Fhir { get; } = new JsonSerializerOptions().ForFhir();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions().ForCdsHooks();
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.MakeReadOnly();
        return options;
    }
}
