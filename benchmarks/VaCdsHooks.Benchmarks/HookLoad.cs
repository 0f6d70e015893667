using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.Benchmarks;

public sealed record HookLoadOptions(string Service, int Concurrency, int Seconds, string Chart, string Hook, int WarmupSeconds)
{
    public static HookLoadOptions Parse(string[] args)
    {
        var root = Repository.Root();
        var options = new HookLoadOptions("http://localhost:5080", 32, 20, Path.Combine(root, "fhir-resources", "examples", "patient-conditional.json"), "order-sign", 5);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--service" => options with { Service = args[i + 1] },
                "--concurrency" => options with { Concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--chart" => options with { Chart = Path.GetFullPath(args[i + 1]) },
                "--hook" => options with { Hook = args[i + 1] },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }

        return options;
    }
}

/// <summary>
/// Closed-loop load on a running service: N connections each sending signed hook calls with full prefetch, back to
/// back, with the demo EHR's key (so the service must run in Development). Tokens are signed before the clock
/// starts: the EHR's signing cost is not ours to measure. Reports throughput and latency percentiles.
/// </summary>
public static class HookLoad
{
    public static async Task<int> RunAsync(HookLoadOptions options)
    {
        var root = Repository.Root();
        var key = new JsonWebKey(await File.ReadAllTextAsync(Path.Combine(root, "demo", "demo-ehr-private-jwk.json")));
        var endpoint = $"{options.Service.TrimEnd('/')}/cds-services/vertebral-augmentation-{options.Hook}";
        var body = DemoHookRequest.Build(DemoHookRequest.ReadChart(options.Chart), options.Hook, prefetch: true).ToJsonString();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        Console.WriteLine($"{endpoint}: {Encoding.UTF8.GetByteCount(body)} byte body, {options.Concurrency} connections, {options.WarmupSeconds} s warm-up, {options.Seconds} s measured");

        // Enough tokens for a generous rate; a run that uses them up says so rather than reusing a jti.
        var tokens = new TokenPool(key, endpoint, Math.Max(20_000, options.Concurrency * 2_000));

        await RunPhaseAsync(http, endpoint, body, tokens, options.Concurrency, TimeSpan.FromSeconds(options.WarmupSeconds));
        var measured = await RunPhaseAsync(http, endpoint, body, tokens, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));

        var latencies = measured.Latencies.Order().ToArray();
        if (latencies.Length == 0)
        {
            Console.Error.WriteLine("No request completed.");
            return 1;
        }

        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        Console.WriteLine($"requests {latencies.Length}, errors {measured.Errors}, throughput {latencies.Length / options.Seconds:F0}/s");
        Console.WriteLine($"latency ms: p50 {Percentile(0.50):F2}  p90 {Percentile(0.90):F2}  p99 {Percentile(0.99):F2}  max {latencies[^1]:F2}");
        if (tokens.Exhausted)
        {
            Console.WriteLine("note: the pre-signed tokens ran out; later requests signed on the fly.");
        }

        return measured.Errors == 0 ? 0 : 1;
    }

    private static async Task<(List<double> Latencies, int Errors)> RunPhaseAsync(HttpClient http, string endpoint, string body, TokenPool tokens, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>();
        var errors = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var mine = new List<double>();
            var myErrors = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Next());
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    myErrors++;
                }
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
                errors += myErrors;
            }
        });
        await Task.WhenAll(workers);
        return (latencies, errors);
    }

    /// <summary>Pre-signed CDS Hooks client JWTs, one unique jti each.</summary>
    private sealed class TokenPool
    {
        private readonly string[] _tokens;
        private readonly JsonWebKey _key;
        private readonly string _audience;
        private int _next = -1;

        public TokenPool(JsonWebKey key, string audience, int count)
        {
            _key = key;
            _audience = audience;
            _tokens = new string[count];
            Parallel.For(0, count, i => _tokens[i] = Sign());
        }

        public bool Exhausted => Volatile.Read(ref _next) >= _tokens.Length;

        public string Next()
        {
            var index = Interlocked.Increment(ref _next);
            return index < _tokens.Length ? _tokens[index] : Sign();
        }

        private string Sign()
        {
            var now = DateTime.UtcNow;
            return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "https://demo-ehr.vacdshooks.invalid",
                Audience = _audience,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString(), ["tenant"] = "demo" },
                SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha384),
                TokenType = "JWT",
            });
        }
    }
}
