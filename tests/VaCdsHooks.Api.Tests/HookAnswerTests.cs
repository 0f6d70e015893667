using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Signed EHR calls for each declared hook get a CRD answer built from the chart; what we told the EHR is kept
/// (CRD: "Retain every hook invocation and response") and the assertion can be read back.
/// </summary>
public sealed class HookAnswerTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string CoverageInformationUrl = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

    private async Task<JsonElement> PostAsync(string hook, JsonObject request)
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-" + hook, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> CoverageInformation(JsonElement action) =>
        action.GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == CoverageInformationUrl)
            .GetProperty("extension").EnumerateArray()
            .GroupBy(e => e.GetProperty("url").GetString()!)
            .ToDictionary(g => g.Key, g => g.First());

    [Theory]
    [InlineData(Charts.Covered, "covered")]
    [InlineData(Charts.Conditional, "conditional")]
    [InlineData(Charts.NotCovered, "not-covered")]
    public async Task Order_sign_answers_each_example_chart_with_its_determination(string chart, string covered)
    {
        var answer = await PostAsync("order-sign", Charts.Request(chart));

        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        Assert.Equal("update", action.GetProperty("type").GetString());
        Assert.Equal(covered, CoverageInformation(action)["covered"].GetProperty("valueCode").GetString());
        Assert.NotEmpty(answer.GetProperty("cards").EnumerateArray());
    }

    [Theory]
    [InlineData("order-sign")]
    [InlineData("order-dispatch")]
    [InlineData("appointment-book")]
    public async Task Primary_hooks_always_return_a_coverage_information_system_action(string hook)
    {
        var answer = await PostAsync(hook, Charts.Request(Charts.Conditional, hook));

        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        var information = CoverageInformation(action);
        Assert.Equal("conditional", information["covered"].GetProperty("valueCode").GetString());
        Assert.True(information.ContainsKey("coverage-assertion-id"));
    }

    [Fact]
    public async Task Order_select_coverage_information_asks_for_no_documentation()
    {
        var answer = await PostAsync("order-select", Charts.Request(Charts.Conditional, "order-select"));

        foreach (var action in answer.GetProperty("systemActions").EnumerateArray())
        {
            var information = CoverageInformation(action);
            Assert.False(information.ContainsKey("doc-needed"));
            Assert.False(information.ContainsKey("questionnaire"));
        }
    }

    [Fact]
    public async Task Coverage_info_switched_off_by_the_EHR_returns_no_system_action()
    {
        var request = Charts.Request(Charts.Covered);
        request["extension"] = new JsonObject { ["davinci-crd.configuration"] = new JsonObject { ["coverage-info"] = false } };

        var answer = await PostAsync("order-sign", request);

        Assert.False(answer.TryGetProperty("systemActions", out var actions) && actions.GetArrayLength() > 0);
    }

    [Fact]
    public async Task Every_card_has_a_uuid_a_short_summary_an_indicator_and_a_CRD_card_type()
    {
        var answer = await PostAsync("order-sign", Charts.Request(Charts.Conditional));

        foreach (var card in answer.GetProperty("cards").EnumerateArray())
        {
            Assert.True(Guid.TryParse(card.GetProperty("uuid").GetString(), out _));
            Assert.InRange(card.GetProperty("summary").GetString()!.Length, 1, 139);
            Assert.Contains(card.GetProperty("indicator").GetString(), new[] { "info", "warning", "critical" });
            var source = card.GetProperty("source");
            Assert.False(string.IsNullOrWhiteSpace(source.GetProperty("label").GetString()));
            var topic = source.GetProperty("topic");
            Assert.Equal("http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp", topic.GetProperty("system").GetString());
            Assert.NotEqual("coverage-info", topic.GetProperty("code").GetString());
            foreach (var suggestion in card.TryGetProperty("suggestions", out var s) ? s.EnumerateArray() : default)
            {
                Assert.True(Guid.TryParse(suggestion.GetProperty("uuid").GetString(), out _));
            }
        }
    }

    [Fact]
    public async Task The_exchange_and_the_assertion_are_kept_for_dispute_resolution()
    {
        var request = Charts.Request(Charts.Conditional);
        var hookInstance = request["hookInstance"]!.GetValue<string>();

        var answer = await PostAsync("order-sign", request);

        var exchange = Assert.Single(await factory.Service<IHookExchangeLogReader>().FindByHookInstanceAsync(hookInstance));
        Assert.Equal(request.ToJsonString(), exchange.RequestBody);
        Assert.Equal(answer.GetRawText(), JsonDocument.Parse(exchange.ResponseBody!).RootElement.GetRawText());
        Assert.Equal(ApiFactory.Issuer, exchange.ClientIssuer);

        var assertionId = CoverageInformation(answer.GetProperty("systemActions")[0])["coverage-assertion-id"].GetProperty("valueString").GetString()!;
        var assertion = await factory.Service<ICoverageAssertionStore>().FindAsync(assertionId);
        Assert.NotNull(assertion);
        Assert.Equal("conditional", assertion.Covered);
        Assert.NotEmpty(assertion.Criteria);
    }

    [Fact]
    public async Task Cors_preflight_from_a_browser_EHR_is_allowed()
    {
        using var client = factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/cds-services/vertebral-augmentation-order-sign");
        preflight.Headers.Add("Origin", "https://sandbox.cds-hooks.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
    }
}
