using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Prefetch asks only for what the policy reads (CRD: clinical data only some services need SHALL be queried, not
/// prefetched universally), and a real chart's body fits under the size limit.
/// </summary>
public sealed class PrefetchTemplateTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static HashSet<string> PublishedValueSets() => Directory.GetFiles(RepositoryFiles.Path("fhir-resources", "ValueSet"), "*.json")
        .Select(f => JsonNode.Parse(File.ReadAllText(f))!["url"]!.GetValue<string>())
        .ToHashSet(StringComparer.Ordinal);

    [Theory]
    [InlineData("observations")]
    [InlineData("conditions")]
    public void Clinical_templates_ask_only_for_codes_in_the_policys_published_ValueSets(string key)
    {
        var query = CdsServiceCatalog.Templates[key].Query;

        var parameters = query[(query.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&');
        var codeIn = Assert.Single(parameters, p => p.StartsWith("code:in=", StringComparison.Ordinal));
        var canonicals = codeIn["code:in=".Length..].Split(',');
        Assert.NotEmpty(canonicals);
        Assert.Subset(PublishedValueSets(), canonicals.ToHashSet(StringComparer.Ordinal));
        Assert.Contains("patient={{context.patientId}}", parameters);
    }

    [Fact]
    public void Medication_templates_keep_their_includes()
    {
        Assert.EndsWith("&_include=MedicationStatement:medication", CdsServiceCatalog.Templates["medicationStatements"].Query, StringComparison.Ordinal);
        Assert.EndsWith("&_include=MedicationRequest:medication", CdsServiceCatalog.Templates["medicationRequests"].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chart_with_2500_heart_rate_observations_in_prefetch_is_answered_not_refused_with_413()
    {
        var request = Charts.Request(Charts.Covered);
        var patientId = request["context"]!["patientId"]!.GetValue<string>();
        var entries = request["prefetch"]!["observations"]!["entry"]!.AsArray();
        for (var i = 0; i < 2500; i++)
        {
            entries.Add(new JsonObject
            {
                ["fullUrl"] = $"https://ehr.example.org/fhir/Observation/hr-{i}",
                ["resource"] = new JsonObject
                {
                    ["resourceType"] = "Observation",
                    ["id"] = $"hr-{i}",
                    ["status"] = "final",
                    ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "vital-signs", ["display"] = "Vital Signs" }) }),
                    ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "8867-4", ["display"] = "Heart rate" }), ["text"] = "Heart rate" },
                    ["subject"] = new JsonObject { ["reference"] = "Patient/" + patientId },
                    ["effectiveDateTime"] = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(i).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                    ["valueQuantity"] = new JsonObject { ["value"] = 60 + (i % 40), ["unit"] = "beats/minute", ["system"] = "http://unitsofmeasure.org", ["code"] = "/min" },
                },
            });
        }

        var body = request.ToJsonString();
        Assert.True(body.Length > 1024 * 1024, "the chart must be larger than the old 1 MiB limit");

        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Single(answer.RootElement.GetProperty("systemActions").EnumerateArray());
    }
}
