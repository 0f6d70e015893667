using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// CRD hooks page (primary hooks): order-sign, order-dispatch and appointment-book always answer with
/// <c>systemActions</c>: a coverage-information update for every order we assess, an empty array otherwise (the CRD
/// kit's rule crd_coverage_info_system_action_received fails a primary-hook answer without the array).
/// Reading for a patient without any Coverage: coverage-information needs a <c>coverage</c> reference (1..1), so
/// there is nothing to assert against; the answer is an informative insurance card and an empty array.
/// </summary>
public sealed class SystemActionsTests : IClassFixture<ApiFactory>, IDisposable
{
    private readonly ApiFactory _factory;

    public SystemActionsTests(ApiFactory factory)
    {
        _factory = factory;
        _factory.Ehr.Reset();
    }

    public void Dispose() => _factory.Ehr.Reset();

    private async Task<JsonElement> AnswerAsync(string hook, JsonObject request)
    {
        using var response = await _factory.PostHookAsync("vertebral-augmentation-" + hook, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static JsonObject WithoutCoverage(JsonObject request)
    {
        // Real EHRs send the empty search result with an empty entry array.
        request["prefetch"]!["coverage"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = new JsonArray() };
        return request;
    }

    [Theory]
    [InlineData("order-sign")]
    [InlineData("order-dispatch")]
    [InlineData("appointment-book")]
    public async Task Patient_without_any_coverage_gets_an_insurance_card_and_empty_systemActions(string hook)
    {
        var answer = await AnswerAsync(hook, WithoutCoverage(Charts.Request(Charts.Covered, hook)));

        Assert.Equal(JsonValueKind.Array, answer.GetProperty("systemActions").ValueKind);
        Assert.Empty(answer.GetProperty("systemActions").EnumerateArray());
        var card = Assert.Single(answer.GetProperty("cards").EnumerateArray());
        Assert.Equal("info", card.GetProperty("indicator").GetString());
        Assert.Equal("insurance", card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Order_dispatch_with_only_the_declared_prefetch_reads_the_dispatched_order_from_fhirServer()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Conditional));
        var request = Charts.Request(Charts.Conditional, "order-dispatch");
        request["prefetch"]!.AsObject().Remove("dispatchedOrders");
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync("order-dispatch", request);

        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        Assert.Equal("ServiceRequest", action.GetProperty("resource").GetProperty("resourceType").GetString());
        var call = Assert.Single(_factory.Ehr.LogEntries);
        Assert.StartsWith("/fhir/ServiceRequest/", call.RequestMessage.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Primary_hook_with_coverage_info_switched_off_answers_an_empty_systemActions_array()
    {
        var request = Charts.Request(Charts.Covered);
        request["extension"] = new JsonObject { ["davinci-crd.configuration"] = new JsonObject { ["coverage-info"] = false } };

        var answer = await AnswerAsync("order-sign", request);

        Assert.Equal(JsonValueKind.Array, answer.GetProperty("systemActions").ValueKind);
        Assert.Empty(answer.GetProperty("systemActions").EnumerateArray());
    }

    [Fact]
    public async Task Order_sign_without_any_of_our_orders_answers_an_empty_systemActions_array()
    {
        var request = Charts.Request(Charts.Covered);
        var order = request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!;
        order["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "24627-2" }) };

        var answer = await AnswerAsync("order-sign", request);

        Assert.Empty(answer.GetProperty("systemActions").EnumerateArray());
        Assert.Empty(answer.GetProperty("cards").EnumerateArray());
    }
}
