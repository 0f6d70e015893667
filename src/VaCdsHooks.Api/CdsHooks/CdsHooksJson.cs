using System.Text.Json;
using System.Text.Json.Serialization;
using Hl7.Fhir.Serialization;

namespace VaCdsHooks.Api.CdsHooks;

/// <summary>The one set of JSON options for CDS Hooks bodies (Firely's CDS Hooks converters) and the FHIR inside them.</summary>
public static class CdsHooksJson
{
    /// <summary>
    /// Firely issues whose meaning is clear and that real EHRs send: an empty array (<c>"entry": []</c>, JSON121),
    /// a resource or element left empty by it (PVAL129), a missing required element such as <c>Bundle.type</c>
    /// (PVAL105), and an element this FHIR version does not know (PVAL128, kept in overflow and never read).
    /// Wrong types, bad dates and nulls inside arrays are still errors: their meaning is not clear.
    /// </summary>
    public static IReadOnlyList<string> ToleratedIssues { get; } = ["JSON121", "PVAL105", "PVAL128", "PVAL129"];

    /// <summary>Writing answers and reading hook requests, with the EHR's FHIR read leniently (see <see cref="ToleratedIssues"/>).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>FHIR resources carried inside CDS Hooks bodies (draftOrders, prefetch entries), read leniently.</summary>
    public static JsonSerializerOptions Fhir { get; } = CreateFhir();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions().ForCdsHooks().UsingMode(DeserializationMode.Strict).Ignoring(ToleratedIssues);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.MakeReadOnly();
        return options;
    }

    private static JsonSerializerOptions CreateFhir() =>
        new JsonSerializerOptions().ForFhir().UsingMode(DeserializationMode.Strict).Ignoring(ToleratedIssues);
}
