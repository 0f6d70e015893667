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

    [PostgresFact]
    public async Task Round_trip_to_approval_runs_its_job_from_postgres_storage()
    {
        Assert.IsType<PostgreSqlStorage>(factory.Services.GetRequiredService<JobStorage>());

        var assertionId = await _dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await _dtr.PackageAsync(assertionId);
        using var submitted = await _dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);

        var status = await _dtr.DecidedStatusAsync(assertionId, TimeSpan.FromSeconds(60));
        Assert.Equal("approved", DtrFlow.CaseStatus(status));
        Assert.False(string.IsNullOrEmpty(status.PreAuthRef));
    }
}
