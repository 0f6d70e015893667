using System.Net;
using System.Text.Json;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>CDS Hooks 2.0 discovery (https://cds-hooks.hl7.org/2.0/#discovery) with CRD's service extensions.</summary>
public sealed class DiscoveryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<JsonElement> DiscoverAsync()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/cds-services");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Discovery_lists_the_three_primary_CRD_hooks_and_order_select()
    {
        var services = (await DiscoverAsync()).GetProperty("services").EnumerateArray().ToList();

        Assert.Equal(
            ["appointment-book", "order-dispatch", "order-select", "order-sign"],
            services.Select(s => s.GetProperty("hook").GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.All(services, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("title").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("description").GetString()));
        });
    }

    [Fact]
    public async Task Every_service_prefetches_the_chart_slices_of_the_context_patient()
    {
        var services = (await DiscoverAsync()).GetProperty("services").EnumerateArray();

        foreach (var service in services)
        {
            var prefetch = service.GetProperty("prefetch");
            Assert.Equal("Patient/{{context.patientId}}", prefetch.GetProperty("patient").GetString());
            Assert.Equal("Coverage?patient={{context.patientId}}&status=active", prefetch.GetProperty("coverage").GetString());
            foreach (var key in new[] { "conditions", "observations", "medicationStatements", "medicationRequests", "imagingStudies", "procedures", "diagnosticReports", "allergyIntolerances", "encounters" })
            {
                Assert.Contains("?patient={{context.patientId}}", prefetch.GetProperty(key).GetString(), StringComparison.Ordinal);
            }

            // Statements and prescriptions bring the Medication resources they reference.
            Assert.EndsWith("&_include=MedicationStatement:medication", prefetch.GetProperty("medicationStatements").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("&_include=MedicationRequest:medication", prefetch.GetProperty("medicationRequests").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_service_declares_the_CRD_version_and_boolean_configuration_options()
    {
        var services = (await DiscoverAsync()).GetProperty("services").EnumerateArray();

        foreach (var service in services)
        {
            var extension = service.GetProperty("extension");
            Assert.Equal("2.0.1", extension.GetProperty("davinci-crd.version").GetString());
            var options = extension.GetProperty("davinci-crd.configuration-options").EnumerateArray().ToList();
            Assert.Contains(options, o => o.GetProperty("code").GetString() == "coverage-info");
            Assert.All(options, o =>
            {
                Assert.Equal("boolean", o.GetProperty("type").GetString());
                Assert.False(string.IsNullOrWhiteSpace(o.GetProperty("name").GetString()));
                Assert.False(string.IsNullOrWhiteSpace(o.GetProperty("description").GetString()));
            });
        }
    }

    [Fact]
    public async Task Discovery_needs_no_token()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/cds-services");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
