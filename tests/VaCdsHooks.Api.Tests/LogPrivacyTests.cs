using System.Collections.Concurrent;
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using VaCdsHooks.Api.Tests.Dtr;
using VaCdsHooks.Api.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace VaCdsHooks.Api.Tests;

/// <summary>
/// Logs leave the service for operators and log stores that are not cleared for PHI: a hook call and the whole
/// documentation round trip must log ids, codes and timings, never a name, a birth date or a FHIR resource.
/// </summary>
public sealed class LogPrivacyTests
{
    [Fact]
    public async Task A_hook_call_and_the_documentation_round_trip_log_no_patient_identity_or_fhir_resource()
    {
        using var factory = new EverythingLoggedFactory();
        var dtr = new DtrFlow(factory);
        using var covered = await factory.PostHookAsync("vertebral-augmentation-order-sign", Charts.Request(Charts.Covered).ToJsonString());
        Assert.Equal(HttpStatusCode.OK, covered.StatusCode);

        var assertionId = await dtr.ConditionalAssertionAsync();
        var (questionnaire, draft) = await dtr.PackageAsync(assertionId);
        using var submitted = await dtr.PostAsync("/fhir/QuestionnaireResponse", DtrFlow.Complete(questionnaire, draft, DtrFlow.CleanAnswers()));
        await DtrFlow.ReadAsync<QuestionnaireResponse>(submitted, HttpStatusCode.Created, factory);
        Assert.Equal("approved", DtrFlow.CaseStatus(await dtr.DecidedStatusAsync(assertionId)));

        var logged = factory.Everything.ToList();
        Assert.NotEmpty(logged);
        foreach (var patient in Charts.Read(Charts.Covered).Concat(Charts.Read(Charts.Conditional)).OfType<Patient>())
        {
            foreach (var text in patient.Name.SelectMany(n => n.Given.Append(n.Family)).OfType<string>().Append(patient.BirthDate).OfType<string>())
            {
                Assert.DoesNotContain(logged, line => line.Contains(text, StringComparison.OrdinalIgnoreCase));
            }
        }

        Assert.DoesNotContain(logged, line => line.Contains("\"resourceType\"", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, line => line.Contains("access_token", StringComparison.Ordinal));
    }

    private sealed class EverythingLoggedFactory : ApiFactory
    {
        public ConcurrentQueue<string> Everything { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(new Capture(Everything));
            });
        }
    }

    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
