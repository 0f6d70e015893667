using System.Diagnostics;
using System.Globalization;

namespace VaCdsHooks.Benchmarks;

/// <summary>Latencies and errors of one measured phase.</summary>
public sealed record PhaseResult(double[] SortedMs, int Errors, TimeSpan Elapsed, string? FirstError)
{
    public int Requests => SortedMs.Length;

    public double Throughput => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p) => SortedMs.Length == 0 ? double.NaN : SortedMs[Math.Clamp((int)Math.Ceiling(p * SortedMs.Length) - 1, 0, SortedMs.Length - 1)];

    public void Print(string label)
    {
        Console.WriteLine($"{label}: requests {Requests}, errors {Errors}, throughput {Throughput:F1}/s");
        if (Requests > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: latency ms  p50 {Percentile(0.50):F2}  p90 {Percentile(0.90):F2}  p99 {Percentile(0.99):F2}  max {SortedMs[^1]:F2}"));
        }

        if (FirstError is not null)
        {
            Console.WriteLine($"{label}: first error: {FirstError}");
        }
    }
}

/// <summary>
/// N workers, each sending its next request as soon as the previous answer is read: the offered load follows what
/// the server can take, so throughput is the server's (as long as the generator keeps up).
/// </summary>
public static class ClosedLoop
{
    public static async Task<PhaseResult> RunAsync(HttpClient http, int concurrency, TimeSpan duration, Func<HttpRequestMessage> nextRequest)
    {
        var latencies = new List<double>();
        var errors = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var mine = new List<double>();
            var myErrors = 0;
            string? myFirstError = null;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var (ms, error) = await SendAsync(http, nextRequest());
                mine.Add(ms);
                if (error is not null)
                {
                    myErrors++;
                    myFirstError ??= error;
                }
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
                errors += myErrors;
                firstError ??= myFirstError;
            }
        });
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        return new PhaseResult(sorted, errors, elapsed, firstError);
    }

    /// <summary>One request, timed to the last byte of the answer; a failure is described, not thrown.</summary>
    public static async Task<(double Ms, string? Error)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                return response.IsSuccessStatusCode
                    ? (ms, null)
                    : (ms, $"HTTP {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
