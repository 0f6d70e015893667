using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Conformance;

/// <summary>
/// Checks of the Da Vinci CRD server kit (inferno-framework/davinci-crd-test-kit) that our own answers and our demo
/// EHR's request bodies once failed: the Instructions card (kit: no <c>links</c>, no <c>suggestions</c>) and
/// request contexts shaped by the CDS Hooks order-dispatch hook and the CRD 2.0.1 appointment profile.
/// </summary>
public sealed class CrdKitFindingsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string> PrimaryHooks() => new()
    {
        { "order-sign", "vertebral-augmentation-order-sign" },
        { "order-dispatch", "vertebral-augmentation-order-dispatch" },
        { "appointment-book", "vertebral-augmentation-appointment-book" },
    };

    // Kit: crd_valid_instructions_card_received (per hook) and crd_valid_instructions_card_received_across_hooks.
    [Theory]
    [MemberData(nameof(PrimaryHooks))]
    public async Task Conditional_answer_has_an_instructions_card_with_no_links_or_suggestions_key_crd_valid_instructions_card_received(string hook, string serviceId)
    {
        var answer = await PostAsync(serviceId, Charts.Request(Charts.Conditional, hook, prefetch: true));

        // The kit reads a card whose links array is present, even empty, as an external reference instead.
        var instructions = Assert.Single(answer.GetProperty("cards").EnumerateArray(), c => !c.TryGetProperty("links", out _) && !c.TryGetProperty("suggestions", out _));
        Assert.StartsWith("Next step for ", instructions.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(instructions.GetProperty("source").GetProperty("topic").GetProperty("code").GetString()));

        // crd_external_reference_card_validation still passes: the coverage card keeps its absolute policy link.
        Assert.Contains(answer.GetProperty("cards").EnumerateArray(), c => c.TryGetProperty("links", out var links)
            && links.GetArrayLength() > 0 && links.EnumerateArray().All(l => l.GetProperty("type").GetString() == "absolute"));
    }

    // Kit: crd_service_request_context_validation, for the body our demo EHR sends (CDS Hooks order-dispatch 1.x context).
    [Fact]
    public async Task Demo_order_dispatch_body_has_the_cds_hooks_context_and_gets_coverage_information_crd_service_request_context_validation()
    {
        var body = Charts.Request(Charts.Conditional, "order-dispatch", prefetch: true);
        var context = body["context"]!.AsObject();
        Assert.Equal(["dispatchedOrders", "patientId", "performer"], context.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(JsonValueKind.String, context["patientId"]!.GetValueKind());
        Assert.All(context["dispatchedOrders"]!.AsArray(), o => Assert.Matches("^ServiceRequest/[A-Za-z0-9.-]+$", o!.GetValue<string>()));
        Assert.Matches("^(Practitioner|PractitionerRole|Organization|CareTeam|Patient|RelatedPerson)/[A-Za-z0-9.-]+$", context["performer"]!.GetValue<string>());

        AssertCoverageInformation(await PostAsync("vertebral-augmentation-order-dispatch", body));
    }

    // The CRD 2.0.1 kit's own order-dispatch example names one order as 'order'; that shape is still taken.
    [Fact]
    public async Task Kit_shaped_order_dispatch_context_with_order_and_performer_is_still_accepted()
    {
        var body = Charts.Request(Charts.Conditional, "order-dispatch", prefetch: true);
        var context = body["context"]!.AsObject();
        var order = context["dispatchedOrders"]!.AsArray().Single()!.GetValue<string>();
        context.Remove("dispatchedOrders");
        context["order"] = order;

        AssertCoverageInformation(await PostAsync("vertebral-augmentation-order-dispatch", body));
    }

    // Kit: crd_service_request_context_validation validates context.appointments against CRD 2.0.1 profile-appointment
    // (start 1..1, end 1..1, requestedPeriod 1..1); crd_coverage_info_system_action_validation validates the echoed one.
    [Fact]
    public async Task Demo_appointment_carries_start_end_and_requested_period_and_is_echoed_with_coverage_information()
    {
        var body = Charts.Request(Charts.Conditional, "appointment-book", prefetch: true);
        var appointment = body["context"]!["appointments"]!["entry"]!.AsArray().Single()!["resource"]!.AsObject();
        var start = DateTimeOffset.Parse(appointment["start"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(appointment["end"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(end > start);
        var requested = Assert.Single(appointment["requestedPeriod"]!.AsArray())!;
        Assert.NotNull(requested["start"]);
        Assert.NotNull(requested["end"]);

        var answer = await PostAsync("vertebral-augmentation-appointment-book", body);
        var echoed = AssertCoverageInformation(answer);
        Assert.Equal("Appointment", echoed.GetProperty("resourceType").GetString());
        foreach (var field in new[] { "start", "end", "requestedPeriod" })
        {
            Assert.True(echoed.TryGetProperty(field, out _), field);
        }
    }

    // An EHR that books without a slot yet (a proposed Appointment has no start) is still answered.
    [Fact]
    public async Task Appointment_without_start_end_or_requested_period_is_still_accepted()
    {
        var body = Charts.Request(Charts.Conditional, "appointment-book", prefetch: true);
        var appointment = body["context"]!["appointments"]!["entry"]!.AsArray().Single()!["resource"]!.AsObject();
        appointment.Remove("start");
        appointment.Remove("end");
        appointment.Remove("requestedPeriod");

        AssertCoverageInformation(await PostAsync("vertebral-augmentation-appointment-book", body));
    }

    private async Task<JsonElement> PostAsync(string serviceId, JsonObject body)
    {
        using var response = await factory.PostHookAsync(serviceId, body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{factory.Errors.Text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The single system action's resource, which must carry coverage-information.</summary>
    private static JsonElement AssertCoverageInformation(JsonElement answer)
    {
        var action = Assert.Single(answer.GetProperty("systemActions").EnumerateArray());
        Assert.Equal("update", action.GetProperty("type").GetString());
        var resource = action.GetProperty("resource");
        Assert.Contains(resource.GetProperty("extension").EnumerateArray(), e => e.GetProperty("url").GetString() == DtrFlow.CoverageInformationUrl);
        return resource.Clone();
    }
}
