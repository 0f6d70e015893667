using System.Net;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Dtr;
using VaCdsHooks.Api.Tests.Infrastructure;
using VaCdsHooks.Storage;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Faults;

/// <summary>
/// A Hangfire worker dying in the middle of the documentation job: the job runs again and the case ends decided
/// exactly once, whether the worker died before the decision was committed or right after.
/// (Re-enqueueing unprocessed responses at start-up: DtrWorkflowTests.A_response_stored_but_never_processed_is_picked_up_at_start.)
/// </summary>
public sealed class DocumentationJobCrashTests(OutageApiFactory factory) : IClassFixture<OutageApiFactory>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_that_dies_around_its_decision_is_run_again_and_decides_once(bool diesAfterCommit)
    {
        var flow = new DtrFlow(factory);
        var assertionId = await flow.ConditionalAssertionAsync();
        var (questionnaire, draft) = await flow.PackageAsync(assertionId);

        factory.Outage.FailOnce(method => method.Name == nameof(IPriorAuthCaseStore.UpdateAsync), afterCall: diesAfterCommit);
        string responseId;
        using (var accepted = await flow.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers())))
        {
            responseId = (await DtrFlow.ReadAsync<QuestionnaireResponse>(accepted, HttpStatusCode.Created, factory)).Id!;
        }

        // Hangfire's automatic retry runs it again after the failed first attempt.
        var status = await flow.DecidedStatusAsync(assertionId, TimeSpan.FromSeconds(60));
        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        Assert.True(factory.Outage.FailedOnce, "the first attempt did not fail");

        // And one more run for good measure (a duplicate delivery): nothing changes.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DocumentationJob>().ProcessAsync(responseId, CancellationToken.None);
        }

        var cases = factory.Service<IPriorAuthCaseStore>();
        var events = await cases.ListEventsAsync(status.Id!);
        Assert.Single(events, e => e.Kind == PriorAuthCaseEventKinds.ReEvaluated);
        var decided = (await cases.FindAsync(status.Id!))!;
        Assert.Equal(PriorAuthCaseStatus.Approved, decided.Status);
        Assert.Equal(QuestionnaireResponseProcessingState.Processed, (await factory.Service<IQuestionnaireResponseStore>().FindAsync(responseId))!.ProcessingState);
    }
}
