using VaCdsHooks.Trust;

namespace VaCdsHooks.Api.Dtr;

/// <summary>
/// Who may call the DTR endpoint (SMART Backend Services tokens with the DTR scopes), and whose cases they may
/// touch: a client sees only assertions made for its own hook calls.
/// </summary>
public static class DtrAccess
{
    public const string ReadQuestionnaires = SmartBackendPolicies.ReadQuestionnaires;
    public const string WriteQuestionnaireResponses = SmartBackendPolicies.WriteQuestionnaireResponses;

    /// <summary>Any valid DTR token; the case itself is then checked against the caller (case status reads).</summary>
    public const string AnyClient = SmartBackendPolicies.Client;

    /// <summary>The authenticated DTR client's id, recorded with every response it submits.</summary>
    public static string ClientId(HttpContext http) => http.GetDtrClientId() ?? "unknown";

    /// <summary>The issuer of the CDS Hooks registration the caller authenticated as: the owner of its assertions.</summary>
    public static string? Issuer(HttpContext http) => http.GetDtrClient()?.Issuer;

    /// <summary>
    /// Whether an assertion made for <paramref name="assertionIssuer"/>'s hook call may be used by the caller. Another
    /// client's assertion is answered as unknown, so ids cannot be probed.
    /// </summary>
    public static bool Owns(string? callerIssuer, string? assertionIssuer) =>
        callerIssuer is not null && string.Equals(callerIssuer, assertionIssuer, StringComparison.Ordinal);
}
