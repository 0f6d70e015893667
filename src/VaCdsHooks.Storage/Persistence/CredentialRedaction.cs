using System.Text.RegularExpressions;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>
/// Credentials an EHR hands us with a hook call (<c>fhirAuthorization.access_token</c>, a refresh or id token) are
/// for reading its FHIR server during that call only; the hook log keeps the call verbatim for disputes, so they
/// are blanked at the storage edge, on write and again on read (for rows written before this rule).
/// </summary>
public static partial class CredentialRedaction
{
    public const string Placeholder = "[redacted]";

    /// <summary>The JSON with the value of every <c>access_token</c>, <c>refresh_token</c> and <c>id_token</c> member replaced.</summary>
    public static string Redact(string json)
    {
        ArgumentNullException.ThrowIfNull(json);

        // Text, not a parse: the rest of the body stays byte for byte as received.
        return json.Contains("_token", StringComparison.Ordinal) ? TokenMember().Replace(json, "\"$1\":\"" + Placeholder + "\"") : json;
    }

    [GeneratedRegex("\"(access_token|refresh_token|id_token)\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenMember();
}
