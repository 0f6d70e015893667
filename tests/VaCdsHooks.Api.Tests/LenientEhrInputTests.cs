using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Real EHRs send FHIR that is not strictly valid. Where the meaning is clear it is read; a prefetch entry that is
/// not usable counts as not prefetched (https://cds-hooks.hl7.org/2.0/#prefetch-template: the service reads it from
/// fhirServer or answers with what it knows); a malformed order is refused with 422, never a 500.
/// </summary>
public sealed class LenientEhrInputTests : IClassFixture<ApiFactory>, IDisposable
{
    private const string OrderSign = "vertebral-augmentation-order-sign";
    private const string Cpt = "http://www.ama-assn.org/go/cpt";
    private readonly ApiFactory _factory;

    public LenientEhrInputTests(ApiFactory factory)
    {
        _factory = factory;
        _factory.Ehr.Reset();
    }

    public void Dispose() => _factory.Ehr.Reset();

    private async Task<JsonElement> AnswerAsync(JsonObject request)
    {
        using var response = await _factory.PostHookAsync(OrderSign, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string Covered(JsonElement answer) =>
        Assert.Single(answer.GetProperty("systemActions").EnumerateArray()).GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information")
            .GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString()!;

    private static string AllCardText(JsonElement answer) => string.Join("\n", answer.GetProperty("cards").EnumerateArray()
        .Select(c => c.GetProperty("summary").GetString() + "\n" + (c.TryGetProperty("detail", out var d) ? d.GetString() : "")));

    [Fact]
    public async Task Prefetch_bundle_with_an_empty_entry_array_is_read_as_no_data()
    {
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!["allergyIntolerances"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = new JsonArray() };

        var answer = await AnswerAsync(request);

        Assert.Equal("covered", Covered(answer));
    }

    [Fact]
    public async Task Prefetch_bundle_without_type_and_with_unknown_elements_is_read()
    {
        var request = Charts.Request(Charts.Covered);
        var conditions = request["prefetch"]!["conditions"]!.AsObject();
        conditions.Remove("type");
        conditions["entry"]![0]!["resource"]!["someFutureElement"] = "ignored";

        var answer = await AnswerAsync(request);

        // The conditions still count: the chart is decided exactly as with a clean prefetch.
        Assert.Equal("covered", Covered(answer));
    }

    [Fact]
    public async Task Unusable_prefetch_entry_is_read_from_the_fhirServer_instead()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Covered));
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!["conditions"]!["entry"]![0]!["resource"]!["onsetDateTime"] = "last spring";
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(request);

        Assert.Equal("covered", Covered(answer));
        // Only the unusable entry is read again. Every read counts: on a loaded machine an attempt may time out and be
        // retried, which is the EHR client's own behaviour, not a second resource read.
        Assert.NotEmpty(_factory.Ehr.LogEntries);
        Assert.All(_factory.Ehr.LogEntries, call => Assert.Equal("/fhir/Condition", call.RequestMessage.AbsolutePath));
    }

    [Fact]
    public async Task Unusable_prefetch_entry_without_a_fhirServer_is_a_record_gap_not_a_400()
    {
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!["observations"] = new JsonObject { ["resourceType"] = "Nonsense", ["id"] = "x" };

        var answer = await AnswerAsync(request);

        Assert.NotEqual("covered", Covered(answer));
        Assert.Contains("Observation (The prefetched data was not usable FHIR", AllCardText(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prefetch_entry_that_is_not_a_resource_at_all_counts_as_not_prefetched()
    {
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!["procedures"] = new JsonArray(1, 2, 3);

        var answer = await AnswerAsync(request);

        Assert.Contains("Procedure", AllCardText(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spine_order_whose_CPT_code_has_whitespace_around_it_is_read_trimmed()
    {
        var request = Charts.Request(Charts.Covered);
        var cpt = request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!["code"]!["coding"]!.AsArray()
            .First(c => c!["system"]!.GetValue<string>() == Cpt)!;
        cpt["code"] = " " + cpt["code"]!.GetValue<string>() + " ";

        var answer = await AnswerAsync(request);

        Assert.Equal("covered", Covered(answer));
    }

    [Fact]
    public async Task Prefetch_with_whitespace_around_a_code_is_read_trimmed_not_dropped()
    {
        var request = Charts.Request(Charts.Covered);
        var condition = request["prefetch"]!["conditions"]!["entry"]![0]!["resource"]!;
        var coding = condition["code"]!["coding"]![0]!;
        coding["code"] = coding["code"]!.GetValue<string>() + "  ";

        var answer = await AnswerAsync(request);

        Assert.Equal("covered", Covered(answer));
        Assert.DoesNotContain("not usable", AllCardText(answer), StringComparison.Ordinal);
    }

    public static TheoryData<string> MalformedSpineOrders() => new()
    {
        "coding-with-a-null",
        "coding-only-null",
        "coding-as-an-object",
        "code-as-an-array",
        "entry-as-an-array",
    };

    [Theory]
    [MemberData(nameof(MalformedSpineOrders))]
    public async Task Malformed_spine_order_is_refused_with_422_naming_draftOrders_never_500(string how)
    {
        var request = Charts.Request(Charts.Covered);
        var order = request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!.AsObject();
        var cpt = order["code"]!["coding"]!.AsArray().First(c => c!["system"]!.GetValue<string>() == Cpt)!.DeepClone();
        switch (how)
        {
            case "coding-with-a-null": order["code"]!["coding"]!.AsArray().Insert(0, null); break;
            case "coding-only-null": order["code"] = new JsonObject { ["coding"] = new JsonArray((JsonNode?)null) }; break;
            case "coding-as-an-object": order["code"]!["coding"] = cpt; break;
            case "code-as-an-array": order["code"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(cpt) }); break;
            case "entry-as-an-array": request["context"]!["draftOrders"]!["entry"]![0]!["resource"] = new JsonArray(order.DeepClone()); break;
        }

        using var response = await _factory.PostHookAsync(OrderSign, request.ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("context.draftOrders", out _), text);
    }

    [Fact]
    public async Task Body_that_is_not_JSON_is_400_with_an_issue_naming_the_place()
    {
        using var response = await _factory.PostHookAsync(OrderSign, "{\"hook\": \"order-sign\",");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("structure", problem.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
    }
}
