using System.Diagnostics;
using System.Net;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Jobs;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Telemetry;

/// <summary>A background job is a span of its own, in the trace of the request that enqueued it.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class JobTelemetryTests(TelemetryFactory factory) : IClassFixture<TelemetryFactory>
{
    [Fact]
    public async Task The_decision_job_for_a_questionnaire_response_continues_the_trace_of_its_submission()
    {
        var dtr = new DtrFlow(factory);
        var assertionId = await dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await dtr.PackageAsync(assertionId);
        using var submitted = await dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        var response = await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
        Assert.Equal("approved", DtrFlow.CaseStatus(await dtr.DecidedStatusAsync(assertionId)));

        var submission = await factory.SpanAsync(s => s.Kind == ActivityKind.Server
            && s.GetTagItem("http.request.method") as string == "POST"
            && s.GetTagItem("url.path") as string == "/fhir/QuestionnaireResponse"
            && s.GetTagItem("http.response.status_code") is 201
            && factory.Spans.Any(job => job.Source.Name == JobTracingFilter.ActivitySourceName && job.TraceId == s.TraceId));
        var job = factory.Spans.First(s => s.Source.Name == JobTracingFilter.ActivitySourceName && s.TraceId == submission.TraceId);

        Assert.Equal(ActivityKind.Consumer, job.Kind);
        Assert.Equal("job DocumentationJob.ProcessAsync", job.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, job.Status);
        Assert.DoesNotContain(job.TagObjects, tag => tag.Value is string text && text.Contains(response.Id!, StringComparison.Ordinal));
    }
}
