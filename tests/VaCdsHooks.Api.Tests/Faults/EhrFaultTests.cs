using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using VaCdsHooks.Api.CdsHooks;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.DemoEhr;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>
/// The EHR's FHIR server misbehaving: slow, failing, answering garbage or answering without end. The hook always
/// answers (200) within the fetch budget with what it could read, and says what it could not.
/// </summary>
public sealed class EhrFaultTests : IClassFixture<EhrFaultTests.FaultFactory>, IDisposable
{
    public sealed class FaultFactory : ApiFactory
    {
        public const int MaxResponseBytes = 64 * 1024;

        public FaultFactory()
        {
            // Generous for a cold process on a busy machine; the slow EHR below is far slower still.
            Settings["CdsServices:FetchBudget"] = "00:00:04";
            Settings["CdsServices:MaxFhirResponseBytes"] = MaxResponseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private const string OrderSign = "vertebral-augmentation-order-sign";
    private readonly FaultFactory _factory;

    public EhrFaultTests(FaultFactory factory)
    {
        _factory = factory;
        _factory.Ehr.Reset();
    }

    public void Dispose() => _factory.Ehr.Reset();

    [Fact]
    public async Task A_slow_EHR_is_cut_off_at_the_budget_and_the_hook_answers_with_what_was_not_read()
    {
        _factory.Ehr.ServeChart(Charts.Read(Charts.Covered), delay: TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        var answer = await AnswerWithoutPrefetchAsync();
        clock.Stop();

        // Generous: the point is that the 60 s delay (and retries of it) was not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("in time", AllCardText(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_500_followed_by_success_is_retried_and_the_answer_is_complete()
    {
        var chart = Charts.Read(Charts.Covered);
        ServeChartFailingOnce(_factory.Ehr, chart);

        var answer = await AnswerWithoutPrefetchAsync();

        Assert.Equal("covered", Covered(answer));
        Assert.DoesNotContain("Could not be read", AllCardText(answer), StringComparison.Ordinal);
        var calls = _factory.Ehr.LogEntries.ToList();
        Assert.Equal(2 * CdsServiceCatalog.Templates.Count, calls.Count);
        Assert.All(calls, call => Assert.Equal("GET", call.RequestMessage.Method));
    }

    [Fact]
    public async Task A_persistent_500_is_retried_a_bounded_number_of_times_and_answered_with_a_note()
    {
        _factory.Ehr.Given(Request.Create().WithPath("/fhir/*").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("upstream exploded"));

        var answer = await AnswerWithoutPrefetchAsync();

        Assert.Contains("returned an error", AllCardText(answer), StringComparison.Ordinal);
        var calls = _factory.Ehr.LogEntries.Count();
        Assert.InRange(calls, CdsServiceCatalog.Templates.Count + 1, 3 * CdsServiceCatalog.Templates.Count);
    }

    [Theory]
    [InlineData("text/html", "<html><body>Service temporarily unavailable</body></html>")]
    [InlineData("application/fhir+json", "{ \"resourceType\": \"Bundle\", \"entry\": [ {")]
    [InlineData("application/fhir+json", "{ \"resourceType\": \"NotAResource\", \"id\": 7 }")]
    [InlineData("application/json", "[1, 2, 3]")]
    public async Task Garbage_from_the_EHR_is_treated_as_missing_data(string contentType, string body)
    {
        _factory.Ehr.Given(Request.Create().WithPath("/fhir/*").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body));

        var answer = await AnswerWithoutPrefetchAsync();

        Assert.Contains("could not be read from the EHR", AllCardText(answer), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_search_page_beyond_the_size_cap_is_not_read_and_the_rest_of_the_chart_is()
    {
        var chart = Charts.Read(Charts.Covered);
        _factory.Ehr.ServeChart(chart);
        var patient = chart.OfType<Patient>().Single();
        var huge = new Bundle { Type = Bundle.BundleType.Searchset };
        for (var i = 0; huge.Entry.Count < 2000; i++)
        {
            huge.Entry.Add(new Bundle.EntryComponent
            {
                Resource = new Observation
                {
                    Id = "padding-" + i,
                    Status = ObservationStatus.Final,
                    Code = new CodeableConcept("http://loinc.org", "8867-4", new string('x', 200)),
                    Subject = new ResourceReference("Patient/" + patient.Id),
                },
            });
        }

        _factory.Ehr.Given(Request.Create().WithPath("/fhir/Observation").WithParam("patient", patient.Id!).UsingGet()).AtPriority(-10)
            .RespondWith(EhrFhirServer.Fhir(huge));

        var answer = await AnswerWithoutPrefetchAsync();

        var text = AllCardText(answer);
        Assert.Contains($"Observation data was larger than the {FaultFactory.MaxResponseBytes} bytes", text, StringComparison.Ordinal);
        // Oversized answers are not retried: one call for it, as for every other template.
        Assert.Equal(CdsServiceCatalog.Templates.Count, _factory.Ehr.LogEntries.Count());
    }

    [Fact]
    public async Task Endless_next_links_are_followed_only_up_to_the_page_limit()
    {
        var chart = Charts.Read(Charts.Covered);
        _factory.Ehr.ServeChart(chart);
        var patient = chart.OfType<Patient>().Single();
        var endless = new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Link = [new Bundle.LinkComponent { Relation = "next", Url = _factory.EhrFhirBase + "/Condition?patient=" + patient.Id + "&page=again" }],
            Entry = chart.OfType<Condition>().Select(c => new Bundle.EntryComponent { Resource = c }).ToList(),
        };
        _factory.Ehr.Given(Request.Create().WithPath("/fhir/Condition").UsingGet()).AtPriority(-10)
            .RespondWith(EhrFhirServer.Fhir(endless));

        var answer = await AnswerWithoutPrefetchAsync();

        Assert.Contains("Only the first 5 pages of Condition data were read", AllCardText(answer), StringComparison.Ordinal);
        Assert.Equal(5, _factory.Ehr.LogEntries.Count(e => e.RequestMessage.Path == "/fhir/Condition"));
    }

    private async Task<JsonElement> AnswerWithoutPrefetchAsync()
    {
        var request = Charts.Request(Charts.Covered, prefetch: false);
        request.PointAt(_factory.EhrFhirBase);
        using var response = await _factory.PostHookAsync(OrderSign, request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{_factory.Errors.Text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Every chart query fails once with 500, then answers: each URL has its own WireMock scenario.</summary>
    private static void ServeChartFailingOnce(WireMockServer server, IReadOnlyList<Resource> chart)
    {
        var patient = chart.OfType<Patient>().Single();
        var routes = new List<(IRequestBuilder Request, Resource Body, string Name)>
        {
            (Request.Create().WithPath($"/fhir/Patient/{patient.Id}").UsingGet(), patient, "Patient"),
        };
        foreach (var (_, type) in DemoHookRequest.SearchTemplates)
        {
            var searchset = new Bundle
            {
                Type = Bundle.BundleType.Searchset,
                Entry = chart.Where(r => r.TypeName == type).Select(r => new Bundle.EntryComponent { Resource = r }).ToList(),
            };
            routes.Add((Request.Create().WithPath($"/fhir/{type}").WithParam("patient", patient.Id!).UsingGet(), searchset, type));
        }

        foreach (var (request, body, name) in routes)
        {
            server.Given(request).InScenario(name).WillSetStateTo("failed once")
                .RespondWith(Response.Create().WithStatusCode(500).WithBody("try again"));
            server.Given(request).InScenario(name).WhenStateIs("failed once")
                .RespondWith(EhrFhirServer.Fhir(body));
        }
    }

    private static string Covered(JsonElement answer) =>
        answer.GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information")
            .GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString()!;

    private static string AllCardText(JsonElement answer) => string.Join("\n", answer.GetProperty("cards").EnumerateArray()
        .Select(c => c.GetProperty("summary").GetString() + "\n" + (c.TryGetProperty("detail", out var d) ? d.GetString() : "")));
}
