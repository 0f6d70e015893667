using System.Globalization;
using System.Text.Json.Nodes;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Opaque ids shared by the prior-auth stores.</summary>
internal static class StoreIds
{
    /// <summary>32 hex characters; time-ordered (UUIDv7) so new rows land at the end of the primary-key index. Valid as a FHIR id.</summary>
    public static string NewOpaqueId() => Guid.CreateVersion7().ToString("N");

    /// <summary>An empty prior-auth number would collide in the unique index; it means "none".</summary>
    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The events the stores append themselves, with a flat JSON detail.</summary>
internal static class CaseEvents
{
    public static PriorAuthCaseEventRecord New(string caseId, DateTimeOffset at, string kind, string actor, string summary, params (string Name, object? Value)[] detail) =>
        new() { CaseId = caseId, At = at, Kind = kind, Actor = actor, Summary = summary, DetailJson = DetailJson(detail) };

    /// <summary>Written without reflection; null values are left out, numbers stay numbers.</summary>
    private static string DetailJson((string Name, object? Value)[] fields)
    {
        var detail = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                detail[name] = value is long number ? JsonValue.Create(number) : JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        return detail.ToJsonString();
    }
}
