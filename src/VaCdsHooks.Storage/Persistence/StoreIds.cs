using System.Text;
using System.Text.Json;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Opaque ids and small JSON details shared by the prior-auth stores.</summary>
internal static class StoreIds
{
    /// <summary>32 hex characters; time-ordered (UUIDv7) so new rows land at the end of the primary-key index. Valid as a FHIR id.</summary>
    public static string NewOpaqueId() => Guid.CreateVersion7().ToString("N");

    /// <summary>An empty prior-auth number would collide in the unique index; it means "none".</summary>
    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

internal static class EventDetailJson
{
    /// <summary>A flat JSON object, written without reflection; null values are left out.</summary>
    public static string Of(params (string Name, object? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                switch (value)
                {
                    case null:
                        break;
                    case long number:
                        writer.WriteNumber(name, number);
                        break;
                    case int number:
                        writer.WriteNumber(name, number);
                        break;
                    default:
                        writer.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
