using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.OptionsValidation;

/// <summary>
/// Every setting is bound and checked the same way, at start-up: a wrong value stops the service with a message that
/// names the key, instead of failing the first hook, job or browser call that needs it.
/// </summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Jobs:WorkerCount", "0", "Jobs:WorkerCount")]
    [InlineData("Jobs:SchedulePollingInterval", "01:00:00", "Jobs:SchedulePollingInterval")]
    [InlineData("Jobs:Storage", "Redis", "Jobs:Storage 'Redis' is not supported")]
    [InlineData("Jobs:Storage", "1", "Jobs:Storage '1' is not supported")]
    [InlineData("Jobs:Storage", "Postgres", "Jobs:ConnectionString")]
    [InlineData("CdsServices:CorsOrigins:0", "https://ehr.example/launch", "CdsServices:CorsOrigins:0")]
    [InlineData("CdsServices:MaxPagesPerQuery", "0", "MaxPagesPerQuery")]
    [InlineData("CoveragePolicy:FhirResourcesPath", "no-such-folder", "CoveragePolicy:FhirResourcesPath")]
    [InlineData("OpenTelemetry:OtlpEndpoint", "collector:4317", "OpenTelemetry:OtlpEndpoint")]
    public void An_invalid_setting_stops_start_up_naming_its_key(string key, string value, string expected)
    {
        using var factory = new ApiFactory();
        factory.Settings[key] = value;

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = string.Join("\n", Chain(failure).Select(e => e.Message));
        Assert.Contains(expected, messages, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wildcard_beside_configured_origins_stops_start_up()
    {
        using var factory = new ApiFactory();
        factory.Settings["CdsServices:CorsOrigins:0"] = "https://ehr.example";
        factory.Settings["CdsServices:CorsOrigins:1"] = "*";

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("CdsServices:CorsOrigins:1 is '*' beside other origins", string.Join("\n", Chain(failure).Select(e => e.Message)), StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
