using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// The public CRD conformance kit's example hook requests (shared/fixtures/crd-conformance-examples) are accepted
/// as they are, and answered with a well-formed CDS Hooks response. Their orders are not spine procedures, so
/// the answer holds no coverage cards (https://cds-hooks.hl7.org/2.0/#http-response).
/// </summary>
public sealed class ConformanceFixtureTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("order_sign_hook_request.json", "vertebral-augmentation-order-sign")]
    [InlineData("order_select_hook_request.json", "vertebral-augmentation-order-select")]
    [InlineData("order_dispatch_hook_request.json", "vertebral-augmentation-order-dispatch")]
    [InlineData("appointment_book_hook_request.json", "vertebral-augmentation-appointment-book")]
    public async Task Kit_example_request_is_accepted_and_answered_with_a_valid_response(string fixture, string serviceId)
    {
        var body = File.ReadAllText(RepositoryFiles.SharedFixture("crd-conformance-examples", fixture));

        using var response = await factory.PostHookAsync(serviceId, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var answer = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Array, answer.RootElement.GetProperty("cards").ValueKind);
        foreach (var card in answer.RootElement.GetProperty("cards").EnumerateArray())
        {
            Assert.True(card.GetProperty("summary").GetString()!.Length < 140);
            Assert.True(Guid.TryParse(card.GetProperty("uuid").GetString(), out _));
        }
    }

    [Fact]
    public async Task Kit_example_with_a_spine_order_added_gets_a_coverage_answer_for_that_order_only()
    {
        var body = JsonNode.Parse(File.ReadAllText(RepositoryFiles.SharedFixture("crd-conformance-examples", "order_sign_hook_request.json")))!.AsObject();
        var chart = Charts.Request(Charts.Covered);
        var spineOrder = chart["context"]!["draftOrders"]!["entry"]![0]!.DeepClone();
        body["context"]!["patientId"] = chart["context"]!["patientId"]!.DeepClone();
        body["context"]!["draftOrders"]!["entry"]!.AsArray().Add(spineOrder);
        body["prefetch"] = chart["prefetch"]!.DeepClone();

        using var response = await factory.PostHookAsync("vertebral-augmentation-order-sign", body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var action = Assert.Single(answer.RootElement.GetProperty("systemActions").EnumerateArray());
        Assert.Equal("update", action.GetProperty("type").GetString());
        Assert.Equal("ServiceRequest", action.GetProperty("resource").GetProperty("resourceType").GetString());
    }
}
