using System.Text.Json;
using Hl7.Fhir.Model;

namespace VaCdsHooks.Testing;

/// <summary>A CQL result (as cql-runner prints it) beside the FHIR answer the service pre-fills for the same item.</summary>
public static class CqlValues
{
    public static bool Same(DataType? expected, JsonElement actual) => expected switch
    {
        null => actual.ValueKind == JsonValueKind.Null,
        Date date => actual.ValueKind == JsonValueKind.String && actual.GetString() == date.Value,
        FhirDecimal number => actual.ValueKind == JsonValueKind.Number && actual.GetDecimal() == number.Value,
        Integer number => actual.ValueKind == JsonValueKind.Number && actual.GetDecimal() == number.Value,
        Coding coding => actual.ValueKind == JsonValueKind.Object
            && actual.GetProperty("system").GetString() == coding.System
            && actual.GetProperty("code").GetString() == coding.Code,
        _ => false,
    };

    public static string Describe(DataType? value) => value switch
    {
        null => "nothing",
        Coding c => $"{c.System}|{c.Code}",
        PrimitiveType p => $"{p.TypeName} {p}",
        _ => value.TypeName,
    };
}
