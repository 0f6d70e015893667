using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VaCdsHooks.Api.Tests.Infrastructure;

namespace VaCdsHooks.Api.Tests.Telemetry;

/// <summary>
/// The service with its telemetry exported to memory. ActivitySources and Meters are process-wide, so spans and
/// measurements of other test hosts running at the same time arrive here too: tests find their own by ids.
/// </summary>
public sealed class TelemetryFactory : ApiFactory
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public IReadOnlyCollection<Activity> Spans => _spans;

    public List<MetricSnapshot> Metrics { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(_spans))))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics)));
    }

    /// <summary>Spans end just after the response is sent: wait a moment for the one wanted.</summary>
    public async Task<Activity> SpanAsync(Func<Activity, bool> wanted)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_spans.FirstOrDefault(wanted) is { } span)
            {
                return span;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("No such span among " + string.Join(", ", _spans.Select(s => s.Source.Name + ":" + s.DisplayName).Distinct()));
    }

    /// <summary>The metric points exported so far under <paramref name="name"/>, with their tags.</summary>
    public List<(Dictionary<string, object?> Tags, MetricPoint Point)> Points(string name)
    {
        var points = new List<(Dictionary<string, object?>, MetricPoint)>();
        lock (Metrics)
        {
            // Cumulative: one fresh export holds the totals. Meters are process-wide, so other test hosts' instruments
            // of the same name may be in it as streams of their own: all of that export's streams are read.
            Metrics.Clear();
            Services.GetRequiredService<MeterProvider>().ForceFlush();
            foreach (var snapshot in Metrics.Where(m => m.Name == name))
            {
                foreach (var point in snapshot.MetricPoints)
                {
                    var tags = new Dictionary<string, object?>();
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = tag.Value;
                    }

                    points.Add((tags, point));
                }
            }
        }

        return points;
    }

    /// <summary>The in-memory exporter's list is not safe for spans ending on several threads at once; a queue is.</summary>
    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                spans.Enqueue(activity);
            }

            return ExportResult.Success;
        }
    }
}

/// <summary>
/// Telemetry tests run one at a time and apart from the others: ActivitySources, DiagnosticListeners and Meters are
/// process-wide, so other test hosts running at the same time would add to (or take) these spans and measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
