using System.Diagnostics;

namespace VaCdsHooks.Api.Telemetry;

/// <summary>
/// Keeps patient data out of spans. FHIR reads name the patient in the path (<c>Patient/123</c>) or the query
/// (<c>Condition?patient=123</c>), so outgoing URLs are cut after the resource type and every query is dropped; an
/// error's description (a database error can quote the row it refused) is dropped, its status kept.
/// </summary>
internal sealed class SpanRedactionProcessor : OpenTelemetry.BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.full", "http.url"];
    private static readonly string[] QueryTags = ["url.query"];

    public override void OnEnd(Activity data)
    {
        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string url)
            {
                data.SetTag(tag, Redact(url));
            }
        }

        foreach (var tag in QueryTags)
        {
            if (data.GetTagItem(tag) is not null)
            {
                data.SetTag(tag, null);
            }
        }

        if (data.Status == ActivityStatusCode.Error && data.StatusDescription is not null)
        {
            data.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary><c>https://ehr/fhir/Patient/123?x=y</c> becomes <c>https://ehr/fhir/Patient</c>.</summary>
    internal static string Redact(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "(redacted)";
        }

        var kept = new List<string>();
        foreach (var segment in uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            kept.Add(segment);

            // A FHIR resource type starts with a capital letter; what follows it is an id, a version or an operation.
            if (char.IsUpper(segment[0]))
            {
                break;
            }
        }

        return uri.GetLeftPart(UriPartial.Authority) + "/" + string.Join('/', kept);
    }
}
