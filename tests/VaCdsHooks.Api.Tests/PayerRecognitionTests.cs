using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Coverage-information speaks for this payer only (<c>CoveragePolicy:PayerOrganizations</c> /
/// <c>PayerIdentifiers</c> matched against <c>Coverage.payor</c>): another payer's coverage gets no assertion and
/// no coverage-information from us.
/// </summary>
public sealed class PayerRecognitionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

    private async Task<JsonElement> AnswerAsync(JsonObject request)
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static JsonObject OtherPayersCoverage(string patientId) => new()
    {
        ["resourceType"] = "Coverage",
        ["id"] = "cov-other-payer",
        ["status"] = "active",
        ["beneficiary"] = new JsonObject { ["reference"] = "Patient/" + patientId },
        ["payor"] = new JsonArray(new JsonObject { ["reference"] = "http://example.org/fhir/Organization/example-payer", ["display"] = "Payer XYZ" }),
    };

    private static JsonArray CoverageEntries(JsonObject request) => request["prefetch"]!["coverage"]!["entry"]!.AsArray();

    [Fact]
    public async Task Second_active_coverage_of_another_payer_gets_no_coverage_information()
    {
        var request = Charts.Request(Charts.Covered);
        CoverageEntries(request).Add(new JsonObject { ["resource"] = OtherPayersCoverage(request["context"]!["patientId"]!.GetValue<string>()) });

        var answer = await AnswerAsync(request);

        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        var information = Assert.Single(action.GetProperty("resource").GetProperty("extension").EnumerateArray(), e => e.GetProperty("url").GetString() == CoverageInformationUrl);
        var coverage = information.GetProperty("extension").EnumerateArray().Single(e => e.GetProperty("url").GetString() == "coverage");
        Assert.Equal("Coverage/cov-demo-covered", coverage.GetProperty("valueReference").GetProperty("reference").GetString());
        Assert.DoesNotContain("cov-other-payer", answer.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_another_payers_coverage_gets_an_informative_card_and_empty_systemActions()
    {
        var request = Charts.Request(Charts.Covered);
        var entries = CoverageEntries(request);
        entries.Clear();
        entries.Add(new JsonObject { ["resource"] = OtherPayersCoverage(request["context"]!["patientId"]!.GetValue<string>()) });

        var answer = await AnswerAsync(request);

        Assert.Empty(answer.GetProperty("systemActions").EnumerateArray());
        var card = Assert.Single(answer.GetProperty("cards").EnumerateArray());
        Assert.Equal("info", card.GetProperty("indicator").GetString());
        Assert.Equal("insurance", card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
        Assert.Contains("this payer", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }
}
