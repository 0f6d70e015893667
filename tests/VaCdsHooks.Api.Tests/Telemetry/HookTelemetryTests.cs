using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Telemetry;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Telemetry;

/// <summary>
/// A hook call is traceable by the id the EHR logged (its hook instance) and counted by the decision it made;
/// nothing in a span or a metric tells who the patient is.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class HookTelemetryTests(TelemetryFactory factory) : IClassFixture<TelemetryFactory>
{
    private const string OrderSign = "vertebral-augmentation-order-sign";

    private async Task<string> SignAsync(JsonObject request)
    {
        var hookInstance = Guid.NewGuid().ToString();
        request["hookInstance"] = hookInstance;
        using var response = await factory.PostHookAsync(OrderSign, request.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return hookInstance;
    }

    [Fact]
    public async Task An_order_sign_call_is_an_ASP_NET_Core_span_tagged_with_its_hook_instance_and_hook()
    {
        var hookInstance = await SignAsync(Charts.Request(Charts.Covered));

        var span = await factory.SpanAsync(s => s.GetTagItem(HookMetrics.HookInstanceTag) as string == hookInstance);

        Assert.Equal("Microsoft.AspNetCore", span.Source.Name);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("order-sign", span.GetTagItem(HookMetrics.HookTag));
        Assert.Equal("/cds-services/{id}", span.GetTagItem("http.route"));
    }

    [Fact]
    public async Task Decisions_are_counted_by_decision_code_and_hook_and_answers_timed()
    {
        await SignAsync(Charts.Request(Charts.NotCovered));
        await SignAsync(Charts.Request(Charts.Conditional));

        // At least: other test hosts in this process may add to the same instruments.
        Assert.True(Decisions("not-covered") >= 1, "no not-covered decision was counted");
        Assert.True(Decisions("conditional") >= 1, "no conditional decision was counted");
        var durations = factory.Points(HookMetrics.DurationInstrument)
            .Where(p => Equals(p.Tags[HookMetrics.HookTag], "order-sign") && Equals(p.Tags[HookMetrics.OutcomeTag], HookMetrics.AnsweredOutcome))
            .ToList();
        Assert.NotEmpty(durations);
        Assert.True(durations.Sum(p => p.Point.GetHistogramCount()) >= 2);
        Assert.All(durations, p => Assert.True(p.Point.GetHistogramSum() > 0));
    }

    [Fact]
    public async Task The_hook_log_writer_publishes_its_committed_writes_commits_and_queue()
    {
        var committedBefore = HookLogWrites("committed");

        await SignAsync(Charts.Request(Charts.Covered));
        await SignAsync(Charts.Request(Charts.Conditional));

        // The answer is sent after its log row is committed, so both writes are counted by now.
        Assert.True(HookLogWrites("committed") >= committedBefore + 2, "the two answered calls' log writes were not counted as committed");
        Assert.Contains(factory.Points(HookMetrics.HookLogWritesInstrument), p => Equals(p.Tags[HookMetrics.WriteOutcomeTag], "failed"));
        var commits = factory.Points(HookMetrics.HookLogCommitsInstrument).Sum(p => p.Point.GetSumLong());
        Assert.InRange(commits, 1, HookLogWrites("committed"));
        Assert.NotEmpty(factory.Points(HookMetrics.HookLogQueuedInstrument));
    }

    [Fact]
    public async Task Spans_of_a_hook_read_from_the_EHR_carry_no_patient_identity()
    {
        var chart = Charts.Read(Charts.Covered);
        var patient = chart.OfType<Patient>().Single();
        factory.Ehr.ServeChart(chart);
        var request = Charts.Request(Charts.Covered, prefetch: false);
        request.PointAt(factory.EhrFhirBase);

        var hookInstance = await SignAsync(request);

        var server = await factory.SpanAsync(s => s.GetTagItem(HookMetrics.HookInstanceTag) as string == hookInstance);
        var everything = factory.Spans.Where(s => s.TraceId == server.TraceId).ToList();

        // The EHR stand-in (WireMock) is an ASP.NET Core server in this process: its server spans join the trace
        // below our client calls. They are the EHR's telemetry, not ours.
        var trace = everything.Where(s => !(s.Kind == ActivityKind.Server && everything.Any(c => c.Kind == ActivityKind.Client && c.SpanId == s.ParentSpanId))).ToList();
        var fhirReads = trace.Where(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url && url.StartsWith(factory.EhrFhirBase, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(fhirReads);
        Assert.Contains(fhirReads, s => s.GetTagItem("url.full") as string == factory.EhrFhirBase + "/Patient");
        // EF Core's command spans are not asserted here: its instrumentation listens process-wide and, with other test
        // hosts in this process, reports to whichever host enabled it first. Any that do arrive are checked below.

        var identity = patient.Name.SelectMany(n => n.Given.Append(n.Family)).Append(patient.BirthDate).Append(patient.Id).OfType<string>().ToList();
        var revealing = trace
            .SelectMany(span => span.TagObjects.Select(tag => (Span: span.Source.Name + " " + span.DisplayName, tag.Key, Text: Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""))
                .Append((Span: span.Source.Name, Key: "(name)", Text: span.DisplayName)))
            .Where(tag => identity.Any(part => tag.Text.Contains(part, StringComparison.OrdinalIgnoreCase))
                          || tag.Text.Contains(EhrFhirServer.AccessToken, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(revealing);

        // Metrics carry closed sets of codes only.
        Assert.All(factory.Points(HookMetrics.DecisionsInstrument), p => Assert.Subset(new HashSet<string> { HookMetrics.HookTag, HookMetrics.DecisionTag }, p.Tags.Keys.ToHashSet()));
    }

    private long HookLogWrites(string outcome) => factory.Points(HookMetrics.HookLogWritesInstrument)
        .Where(p => Equals(p.Tags[HookMetrics.WriteOutcomeTag], outcome))
        .Sum(p => p.Point.GetSumLong());

    private long Decisions(string decision) => factory.Points(HookMetrics.DecisionsInstrument)
        .Where(p => Equals(p.Tags[HookMetrics.DecisionTag], decision) && Equals(p.Tags[HookMetrics.HookTag], "order-sign"))
        .Sum(p => p.Point.GetSumLong());
}
