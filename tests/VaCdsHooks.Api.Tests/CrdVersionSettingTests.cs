using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>The service configured for CRD 2.2.1 (<c>CoveragePolicy:CrdVersion</c>) and its own card source label.</summary>
public sealed class Crd221ApiFactory : ApiFactory
{
    public const string Label = "Example Health Plan coverage requirements";

    public Crd221ApiFactory()
    {
        Settings["CoveragePolicy:CrdVersion"] = "2.2.1";
        Settings["CoveragePolicy:CardSourceLabel"] = Label;
    }
}

/// <summary>
/// One home for the CRD version and the card source: discovery states the configured <c>davinci-crd.version</c>,
/// and the cards the host builds itself (unreadable orders, technical problem) use the same card-type system,
/// source label and <c>DisabledCardTypes</c> as the engine's cards.
/// </summary>
public sealed class CrdVersionSettingTests(Crd221ApiFactory factory) : IClassFixture<Crd221ApiFactory>
{
    private const string CdsHooksCardTypes = "http://terminology.hl7.org/CodeSystem/cdshooks-card-type";

    private static JsonObject DispatchOfAnOrderNobodyCanRead()
    {
        // Only the declared prefetch and no fhirServer: the dispatched order cannot be read.
        var request = Charts.Request(Charts.Covered, "order-dispatch");
        request["prefetch"]!.AsObject().Remove("dispatchedOrders");
        return request;
    }

    private async Task<JsonElement> AnswerAsync(string hook, JsonObject request)
    {
        using var response = await factory.PostHookAsync("vertebral-augmentation-" + hook, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Discovery_states_the_configured_CRD_version()
    {
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/cds-services"));

        Assert.All(document.RootElement.GetProperty("services").EnumerateArray(), service =>
            Assert.Equal("2.2.1", service.GetProperty("extension").GetProperty("davinci-crd.version").GetString()));
    }

    [Fact]
    public async Task Unreadable_orders_card_uses_the_configured_card_type_system_and_source_label()
    {
        var answer = await AnswerAsync("order-dispatch", DispatchOfAnOrderNobodyCanRead());

        var card = Assert.Single(answer.GetProperty("cards").EnumerateArray());
        Assert.Contains("could not be read", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(Crd221ApiFactory.Label, card.GetProperty("source").GetProperty("label").GetString());
        Assert.Equal(CdsHooksCardTypes, card.GetProperty("source").GetProperty("topic").GetProperty("system").GetString());
        Assert.Equal("insurance", card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unreadable_orders_card_is_left_out_when_the_EHR_switches_insurance_cards_off()
    {
        var request = DispatchOfAnOrderNobodyCanRead();
        request["extension"] = new JsonObject { ["davinci-crd.configuration"] = new JsonObject { ["insurance"] = false } };

        var answer = await AnswerAsync("order-dispatch", request);

        Assert.Empty(answer.GetProperty("cards").EnumerateArray());
        Assert.Empty(answer.GetProperty("systemActions").EnumerateArray());
    }

    [Fact]
    public async Task Engine_cards_and_host_cards_share_one_source_label()
    {
        var answer = await AnswerAsync("order-sign", Charts.Request(Charts.Conditional));

        Assert.All(answer.GetProperty("cards").EnumerateArray(), card =>
        {
            Assert.Equal(Crd221ApiFactory.Label, card.GetProperty("source").GetProperty("label").GetString());
            Assert.Equal(CdsHooksCardTypes, card.GetProperty("source").GetProperty("topic").GetProperty("system").GetString());
        });
    }
}
