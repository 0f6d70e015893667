namespace VaCdsHooks.Api.Dtr;

/// <summary>Who may call the DTR endpoint, and who did.</summary>
public static class DtrAccess
{
    public const string ReadQuestionnaires = "dtr-read-questionnaires";
    public const string WriteQuestionnaireResponses = "dtr-write-questionnaire-responses";

    /// <summary>The authenticated DTR client's id, recorded with every response it submits.</summary>
    public static string ClientId(HttpContext http) =>
        http.User.FindFirst("client_id")?.Value ?? http.User.FindFirst("sub")?.Value ?? "unauthenticated";
}
