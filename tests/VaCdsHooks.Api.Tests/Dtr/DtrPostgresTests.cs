using System.Net;
using Hangfire;
using Hangfire.PostgreSql;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests.Dtr;

/// <summary>The documentation round trip with PostgreSQL for cases and for Hangfire's jobs, as production runs.</summary>
public sealed class DtrPostgresTests(PostgresApiFactory factory) : IClassFixture<PostgresApiFactory>
{
    private readonly DtrFlow _dtr = new(factory);

    [SkippableFact]
    public async Task Round_trip_to_approval_runs_its_job_from_postgres_storage()
    {
        PostgresServer.Require();
        Assert.IsType<PostgreSqlStorage>(factory.Services.GetRequiredService<JobStorage>());

        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);

        ClaimResponse status;
        try
        {
            status = await _dtr.DecidedStatusAsync(assertionId, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + JobsReport(), ex);
        }

        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        Assert.False(string.IsNullOrEmpty(status.PreAuthRef));
    }

    /// <summary>What Hangfire's storage says about the jobs, for a timeout's message.</summary>
    private string JobsReport()
    {
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var lines = new List<string>
        {
            $"jobs: enqueued {stats.Enqueued}, processing {stats.Processing}, scheduled {stats.Scheduled}, failed {stats.Failed}, succeeded {stats.Succeeded}, servers {stats.Servers}",
        };
        var ids = monitoring.ScheduledJobs(0, 10).Select(j => j.Key)
            .Concat(monitoring.ProcessingJobs(0, 10).Select(j => j.Key))
            .Concat(monitoring.EnqueuedJobs("default", 0, 10).Select(j => j.Key));
        foreach (var id in ids)
        {
            var history = monitoring.JobDetails(id)?.History ?? [];
            lines.Add($"job {id}: " + string.Join(" | ", history.Select(h => $"{h.StateName} {h.Reason} " + string.Join(",", h.Data.Select(d => d.Key + "=" + (d.Value.Length > 300 ? d.Value[..300] : d.Value))))));
        }

        return string.Join("\n", lines);
    }
}
