using System.Net;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using VaCdsHooks.Testing;

namespace VaCdsHooks.Api.Tests;

/// <summary>Card feedback (https://cds-hooks.hl7.org/2.0/#feedback) is accepted, validated and kept.</summary>
public sealed class FeedbackTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";

    private static string FeedbackBody(string card, string outcome, JsonObject? extra = null)
    {
        var item = new JsonObject { ["card"] = card, ["outcome"] = outcome, ["outcomeTimestamp"] = "2026-11-24T10:15:00Z" };
        foreach (var (key, value) in extra ?? [])
        {
            item[key] = value?.DeepClone();
        }

        return new JsonObject { ["feedback"] = new JsonArray(item) }.ToJsonString();
    }

    [Fact]
    public async Task Overridden_card_feedback_is_stored_with_its_reason()
    {
        var card = Guid.NewGuid().ToString();
        var body = FeedbackBody(card, "overridden", new JsonObject
        {
            ["overrideReason"] = new JsonObject
            {
                ["reason"] = new JsonObject { ["system"] = "http://example.org/override", ["code"] = "patient-declined", ["display"] = "Patient declined" },
                ["userComment"] = "Discussed with patient",
            },
        });

        using var response = await factory.PostHookAsync(OrderSign, body, factory.Tokens.CreateToken($"{ApiFactory.PublicBaseUrl}/cds-services/{OrderSign}/feedback"), "/feedback");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await StoredRows.CardFeedbackAsync(factory.Services, OrderSign, card));
        Assert.Equal(CardFeedbackOutcome.Overridden, stored.Outcome);
        Assert.Equal("patient-declined", stored.OverrideReasonCode);
        Assert.Equal("Discussed with patient", stored.UserComment);
        Assert.Equal(ApiFactory.Issuer, stored.ClientIssuer);
    }

    [Fact]
    public async Task Resent_feedback_is_kept_once()
    {
        var card = Guid.NewGuid().ToString();
        var body = FeedbackBody(card, "accepted", new JsonObject { ["acceptedSuggestions"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString() }) });

        for (var i = 0; i < 2; i++)
        {
            using var response = await factory.PostHookAsync(OrderSign, body, path: "/feedback");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(await StoredRows.CardFeedbackAsync(factory.Services, OrderSign, card));
    }

    [Theory]
    [InlineData("{}", "feedback")]
    [InlineData("{\"feedback\":[{\"card\":\"c\",\"outcome\":\"ignored\",\"outcomeTimestamp\":\"2026-11-24T10:15:00Z\"}]}", "feedback[0].outcome")]
    [InlineData("{\"feedback\":[{\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-11-24T10:15:00Z\"}]}", "feedback[0].card")]
    [InlineData("{\"feedback\":[{\"card\":\"c\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"soon\"}]}", "feedback[0].outcomeTimestamp")]
    public async Task Invalid_feedback_is_400_naming_the_field(string body, string field)
    {
        using var response = await factory.PostHookAsync(OrderSign, body, path: "/feedback");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
