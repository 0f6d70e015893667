using VaCdsHooks.Api.Telemetry;

namespace VaCdsHooks.Api.Tests.Telemetry;

public sealed class SpanRedactionTests
{
    [Theory]
    [InlineData("https://ehr.example/fhir/Patient/pat-123", "https://ehr.example/fhir/Patient")]
    [InlineData("https://ehr.example/fhir/Condition?patient=pat-123&_count=50", "https://ehr.example/fhir/Condition")]
    [InlineData("https://ehr.example:8443/r4/ServiceRequest/sr-1/_history/2", "https://ehr.example:8443/r4/ServiceRequest")]
    [InlineData("https://ehr.example/fhir?_getpages=abc&_getpagesoffset=50", "https://ehr.example/fhir")]
    [InlineData("https://ehr.example/.well-known/jwks.json", "https://ehr.example/.well-known/jwks.json")]
    [InlineData("not a url", "(redacted)")]
    public void Outgoing_URLs_are_cut_after_the_resource_type_and_lose_their_query(string url, string expected) =>
        Assert.Equal(expected, SpanRedactionProcessor.Redact(url));

    [Fact]
    public void An_error_keeps_its_status_but_not_its_description()
    {
        using var span = new System.Diagnostics.Activity("db");
        span.Start();
        span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "duplicate key (patient_reference)=(Patient/pat-123)");
        span.SetTag("url.full", "https://ehr.example/fhir/Patient/pat-123");
        span.Stop();

        new SpanRedactionProcessor().OnEnd(span);

        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, span.Status);
        Assert.Null(span.StatusDescription);
        Assert.Equal("https://ehr.example/fhir/Patient", span.GetTagItem("url.full"));
    }
}
