using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VaCdsHooks.Api.Jobs;

namespace VaCdsHooks.Api.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics: ASP.NET Core, HttpClient (the EHR's FHIR server, JWKS), EF Core, background jobs,
/// and the hook metrics. Exported over OTLP only when a collector is configured (see <see cref="TelemetryOptions"/>).
/// </summary>
public static class TelemetryComposition
{
    public const string ServiceName = "vacdshooks";

    public static IServiceCollection AddVaCdsHooksTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidation>();
        services.AddSingleton<HookMetrics>();

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(TelemetryComposition).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing
                    // First, so every exporter after it sees the redacted spans.
                    .AddProcessor(new SpanRedactionProcessor())
                    .AddSource(JobTracingFilter.ActivitySourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore =>
                    {
                        // Probes every few seconds would drown the traces that matter.
                        aspNetCore.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
                    })
                    .AddHttpClientInstrumentation()
                    // Statement text only, never parameter values (the instrumentation's default): those can be patient references.
                    .AddEntityFrameworkCoreInstrumentation();

                // Decided once the options are built; an exporter without a collector would only log failures.
                ((IDeferredTracerProviderBuilder)tracing).Configure((provider, builder) =>
                {
                    if (provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.ExporterFor("/v1/traces") is { } exporter)
                    {
                        builder.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(exporter)));
                    }
                });
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(HookMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    // Garbage collection, thread pool, JIT: the runtime's own meter since .NET 9.
                    .AddMeter("System.Runtime");
                ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
                {
                    if (provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.ExporterFor("/v1/metrics") is { } exporter)
                    {
                        builder.AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(exporter)));
                    }
                });
            });

        return services;
    }
}
