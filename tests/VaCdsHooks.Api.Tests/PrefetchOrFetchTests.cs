using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Prefetch-or-fetch (https://cds-hooks.hl7.org/2.0/#prefetch-template and #fhir-resource-access): what the
/// prefetch lacks is read from fhirServer with the EHR's token, only from registered servers, within a budget.
/// </summary>
public sealed class PrefetchOrFetchTests : IClassFixture<ApiFactory>, IDisposable
{
    private const string OrderSign = "vertebral-augmentation-order-sign";
    private readonly ApiFactory _factory;

    public PrefetchOrFetchTests(ApiFactory factory)
    {
        _factory = factory;
        _factory.Ehr.Reset();
        _factory.Stranger.Reset();
    }

    public void Dispose()
    {
        _factory.Ehr.Reset();
        _factory.Stranger.Reset();
    }

    private static async Task<JsonElement> AnswerAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static string Covered(JsonElement answer) =>
        answer.GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information")
            .GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString()!;

    private static string AllCardText(JsonElement answer) => string.Join("\n", answer.GetProperty("cards").EnumerateArray()
        .Select(c => c.GetProperty("summary").GetString() + "\n" + (c.TryGetProperty("detail", out var d) ? d.GetString() : "")));

    [Fact]
    public async Task Full_prefetch_is_answered_without_calling_the_EHR()
    {
        var request = Charts.Request(Charts.Covered);
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Equal("covered", Covered(answer));
        Assert.Empty(_factory.Ehr.LogEntries);
    }

    [Fact]
    public async Task Without_prefetch_the_chart_is_read_from_the_EHR_with_its_bearer_token()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Covered));
        var request = Charts.Request(Charts.Covered, prefetch: false);
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Equal("covered", Covered(answer));
        var calls = _factory.Ehr.LogEntries.ToList();
        Assert.Equal(CdsServiceCatalog.Templates.Count, calls.Count);
        Assert.All(calls, call =>
        {
            Assert.Equal("GET", call.RequestMessage.Method);
            Assert.Equal("Bearer " + EhrFhirServer.AccessToken, call.RequestMessage.Headers!["Authorization"].Single());
        });
    }

    [Fact]
    public async Task Partial_prefetch_reads_only_the_missing_templates()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Covered));
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!.AsObject().Remove("imagingStudies");
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Equal("covered", Covered(answer));
        var call = Assert.Single(_factory.Ehr.LogEntries);
        Assert.Equal("/fhir/ImagingStudy", call.RequestMessage.AbsolutePath);
    }

    [Fact]
    public async Task A_fhirServer_not_registered_for_the_client_is_never_called()
    {
        _factory.Stranger.ServeChart(Charts.Read(Charts.Covered));
        var request = Charts.Request(Charts.Covered, prefetch: false);
        request.PointAt(_factory.StrangerFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Empty(_factory.Stranger.LogEntries);
        Assert.Contains("not registered", AllCardText(answer), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_look_alike_host_of_the_registered_server_is_not_called()
    {
        var request = Charts.Request(Charts.Covered, prefetch: false);
        request.PointAt(_factory.EhrFhirBase + "/../evil");

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Empty(_factory.Ehr.LogEntries);
        Assert.NotEmpty(answer.GetProperty("cards").EnumerateArray());
    }

    [Fact]
    public async Task An_EHR_error_still_gets_an_answer_that_says_what_could_not_be_read()
    {
        _factory.Ehr.Given(Request.Create().WithPath("/fhir/ImagingStudy").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("boom"));
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!.AsObject().Remove("imagingStudies");
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.NotEqual("covered", Covered(answer));
        Assert.Contains("ImagingStudy", AllCardText(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_OperationOutcome_in_prefetch_is_a_gap_not_a_failure()
    {
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!["imagingStudies"] = new JsonObject
        {
            ["resourceType"] = "OperationOutcome",
            ["issue"] = new JsonArray(new JsonObject { ["severity"] = "error", ["code"] = "timeout" }),
        };

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.NotEqual("covered", Covered(answer));
        Assert.Contains("ImagingStudy", AllCardText(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_next_page_link_to_another_host_is_not_followed()
    {
        var page = new Hl7.Fhir.Model.Bundle
        {
            Type = Hl7.Fhir.Model.Bundle.BundleType.Searchset,
            Link = [new Hl7.Fhir.Model.Bundle.LinkComponent { Relation = "next", Url = _factory.StrangerFhirBase + "/Observation?page=2" }],
        };
        _factory.Ehr.Given(Request.Create().WithPath("/fhir/Observation").UsingGet()).RespondWith(EhrFhirServer.Fhir(page));
        var request = Charts.Request(Charts.Covered);
        request["prefetch"]!.AsObject().Remove("observations");
        request.PointAt(_factory.EhrFhirBase);

        var answer = await AnswerAsync(await _factory.PostHookAsync(OrderSign, request.ToJsonString()));

        Assert.Empty(_factory.Stranger.LogEntries);
        Assert.Contains("Observation", AllCardText(answer), StringComparison.Ordinal);
    }
}
