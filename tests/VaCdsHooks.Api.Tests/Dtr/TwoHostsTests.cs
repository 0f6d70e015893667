using System.Net;
using Hl7.Fhir.Model;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>
/// Hangfire keeps process-wide statics (storage, log provider). A host that outlives another in the same process
/// must still enqueue and run its jobs.
/// </summary>
public sealed class TwoHostsTests
{
    [Fact]
    public Task Jobs_keep_working_after_another_host_in_the_process_is_disposed() => SurviveAsync(new ApiFactory());

    [SkippableFact]
    public Task Postgres_jobs_keep_working_after_another_host_in_the_process_is_disposed()
    {
        PostgresServer.Require();
        return SurviveAsync(new PostgresApiFactory());
    }

    private static async Task SurviveAsync(ApiFactory survivor)
    {
        using var _ = survivor;
        var dtr = new DtrFlow(survivor);
        var assertionId = await dtr.ConditionalAssertionAsync();
        Assert.Equal(HttpStatusCode.OK, (await survivor.CreateClient().GetAsync("/health/ready")).StatusCode);

        // A second host starts (taking over Hangfire's statics) and goes away again.
        using (var other = new ApiFactory())
        {
            using var client = other.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }

        // What a gone host leaves in Hangfire's process-wide activator: services that can no longer be used.
        Hangfire.JobActivator.Current = new GoneHostActivator();

        var (questionnaire, draft) = await dtr.PackageAsync(assertionId);
        using var submitted = await dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, survivor);
        Assert.Equal("approved", DtrFlow.CaseStatus(await dtr.DecidedStatusAsync(assertionId, TimeSpan.FromSeconds(20))));
    }

    private sealed class GoneHostActivator : Hangfire.JobActivator
    {
        public override object ActivateJob(Type jobType) => throw new ObjectDisposedException("IServiceProvider");

        public override Hangfire.JobActivatorScope BeginScope(Hangfire.JobActivatorContext context) => throw new ObjectDisposedException("IServiceProvider");
    }
}
