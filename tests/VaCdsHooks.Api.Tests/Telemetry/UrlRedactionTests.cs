using VaCdsHooks.Api.Telemetry;

namespace VaCdsHooks.Api.Tests.Telemetry;

public sealed class UrlRedactionTests
{
    [Theory]
    [InlineData("https://ehr.example/fhir/Patient/pat-123", "https://ehr.example/fhir/Patient")]
    [InlineData("https://ehr.example/fhir/Condition?patient=pat-123&_count=50", "https://ehr.example/fhir/Condition")]
    [InlineData("https://ehr.example:8443/r4/ServiceRequest/sr-1/_history/2", "https://ehr.example:8443/r4/ServiceRequest")]
    [InlineData("https://ehr.example/fhir?_getpages=abc&_getpagesoffset=50", "https://ehr.example/fhir")]
    [InlineData("https://ehr.example/.well-known/jwks.json", "https://ehr.example/.well-known/jwks.json")]
    [InlineData("not a url", "(redacted)")]
    public void Outgoing_URLs_are_cut_after_the_resource_type_and_lose_their_query(string url, string expected) =>
        Assert.Equal(expected, UrlRedactionProcessor.Redact(url));
}
