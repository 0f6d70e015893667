using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.Benchmarks;

/// <summary>What every hook-calling mode shares: which service, chart, hook and signing client.</summary>
public sealed record HookTarget(Uri Service, string Chart, string Hook, DemoSigner Signer)
{
    public static readonly string[] ValueOptions = ["--service", "--chart", "--hook", "--alg"];

    public string Endpoint => $"{Service.ToString().TrimEnd('/')}/cds-services/vertebral-augmentation-{Hook}";

    public static HookTarget From(CliOptions options) => new(
        options.Url("--service", "http://localhost:5080"),
        options.ExistingFile("--chart", Path.Combine(Repository.Root(), "fhir-resources", "examples", "patient-conditional.json")),
        options.Choice("--hook", "order-sign", new[] { "order-sign", "order-select", "order-dispatch", "appointment-book" }.ToDictionary(h => h)),
        DemoSigner.For(options.Choice("--alg", SigningAlgorithm.ES384, DemoSigner.Choices)));

    /// <summary>The hook request with full prefetch, or (fetch mode) without prefetch but with the EHR's FHIR server and a token for it.</summary>
    public byte[] Body(Uri? fhirServer)
    {
        var request = DemoHookRequest.Build(DemoHookRequest.ReadChart(Chart), Hook, prefetch: fhirServer is null);
        if (fhirServer is not null)
        {
            request["fhirServer"] = fhirServer.ToString().TrimEnd('/');
            request["fhirAuthorization"] = new JsonObject
            {
                ["access_token"] = "stub-ehr-access-token",
                ["token_type"] = "Bearer",
                ["expires_in"] = 300,
                ["scope"] = "patient/*.read",
                ["subject"] = "vacdshooks",
            };
        }

        return System.Text.Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    public static HttpRequestMessage Post(string url, byte[] body, string mediaType, string? bearer)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public static HttpClient Client(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(30),
        AllowAutoRedirect = false,
    });

    /// <summary>
    /// One signed call before anything is measured: a service that is down, not in Development, or refusing our
    /// key fails here in one sentence instead of after minutes of signing.
    /// </summary>
    public async Task CheckOneCallAsync(HttpClient http, byte[] body)
    {
        using var key = Signer.CreateKey();
        var (_, error) = await ClosedLoop.SendAsync(http, Post(Endpoint, body, "application/json", Signer.HookToken(key, Endpoint)));
        if (error is not null)
        {
            throw new RunException($"the first call to {Endpoint} failed: {error}\n" +
                "Is the service running in Development (ASPNETCORE_ENVIRONMENT=Development) at that address, with the demo clients of appsettings.Development.json?");
        }
    }
}

/// <summary>
/// Closed-loop load on a running service with the demo EHR's keys (so the service must run in Development):
/// optionally side by side with the bare endpoint, in fetch mode against a stub FHIR server, with the service's
/// memory sampled; and sequential calls from one connection.
/// </summary>
public static class HookLoad
{
    public static readonly string[] LoadValueOptions =
        [.. HookTarget.ValueOptions, "--concurrency", "--seconds", "--warmup", "--baseline", "--fhir-server", "--rate", "--tokens-file", "--pid", "--rss-log"];

    public static readonly string[] LoadFlags = ["--fetch", "--no-floor"];

    public static async Task<int> RunAsync(CliOptions options, bool fetch)
    {
        var target = HookTarget.From(options);
        var concurrency = options.Int("--concurrency", 32, 1, 10_000);
        var seconds = options.Int("--seconds", 20, 1, 3_600);
        var warmup = options.Int("--warmup", 5, 0, 3_600);
        var baseline = options.Optional("--baseline") is null ? null : options.Url("--baseline", "");
        fetch |= options.Flag("--fetch");
        var fhirServer = fetch ? options.Url("--fhir-server", "http://localhost:5090/fhir") : null;
        var givenRate = options.Optional("--rate") is null ? (int?)null : options.Int("--rate", 0, 1, 1_000_000);
        var tokensFile = options.Optional("--tokens-file") is { } file ? Path.GetFullPath(file) : null;
        var rssLog = options.Optional("--rss-log") is { } log ? Path.GetFullPath(log) : null;
        await using var memory = ServiceMemory.From(options.Optional("--pid"), target.Service);

        await using var stub = fhirServer is null ? null : await StubFhirServer.StartAsync(fhirServer, DemoHookRequest.ReadChart(target.Chart));
        var body = target.Body(fhirServer);
        Console.WriteLine($"{target.Endpoint}: {target.Signer.Algorithm}, {body.Length} byte body{(fetch ? $" without prefetch, fetching from the stub at {fhirServer}" : ", full prefetch")}, " +
            $"{concurrency} connections, {warmup} s warm-up, {seconds} s measured");

        using var serviceHttp = HookTarget.Client(concurrency);
        await target.CheckOneCallAsync(serviceHttp, body);

        // Measured before any load, while the cores are as quiet as they get.
        double? floor = null;
        if (!options.Flag("--no-floor"))
        {
            floor = target.Signer.VerificationsPerSecondOnOneCore(TimeSpan.FromSeconds(2));
        }

        PhaseResult? bare = null;
        if (baseline is not null)
        {
            bare = await RunBareAsync(baseline, target, body, concurrency, warmup, seconds);
        }

        // One token per request, each jti used once, for a generous rate over the whole run. The service cannot beat
        // the bare endpoint, nor verify more signatures than the cores can (ES384; an RSA verify is too cheap to
        // bound it), so a margin over the lower of those is generous and keeps pre-signing short on a slow machine;
        // without either, a fixed 4000/s.
        var (rate, basis) = givenRate is { } r ? (r, "--rate")
            : new[]
                {
                    (Rate: 1.25 * bare?.Throughput, Basis: "1.25 x the bare endpoint's throughput"),
                    (Rate: target.Signer.Algorithm == SigningAlgorithm.ES384 ? 1.5 * floor * Environment.ProcessorCount : null, Basis: "1.5 x the verify floor"),
                }
                .Where(c => c.Rate is > 0).OrderBy(c => c.Rate).Select(c => ((int)Math.Ceiling(c.Rate!.Value), c.Basis)).DefaultIfEmpty((4_000, "default")).First();
        Console.WriteLine($"tokens: for {rate}/s ({basis}) over {warmup + seconds} s");
        var pool = TokenPool.Create(target.Signer, target.Endpoint, (int)Math.Min(int.MaxValue - 1, (long)rate * (seconds + warmup) + concurrency), tokensFile);

        memory?.Start();
        var requestsBefore = stub?.Requests ?? 0;
        HttpRequestMessage Next() => HookTarget.Post(target.Endpoint, body, "application/json", pool.Next());
        if (warmup > 0)
        {
            await ClosedLoop.RunAsync(serviceHttp, concurrency, TimeSpan.FromSeconds(warmup), Next);
        }

        var measured = await ClosedLoop.RunAsync(serviceHttp, concurrency, TimeSpan.FromSeconds(seconds), Next);
        var fetchedPerCall = stub is null ? 0 : (stub.Requests - requestsBefore) / (double)Math.Max(1, pool.Used);

        Console.WriteLine();
        measured.Print("service");
        if (stub is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fetch: the stub FHIR server answered {stub.Requests} requests, {fetchedPerCall:F1} per hook call"));
            if (fetchedPerCall < 1)
            {
                Console.WriteLine("fetch: !!! the service did not read from the stub: is its client allowed this fhirServer (CdsHooks:Clients:n:FhirServers)?");
            }
        }

        if (bare is not null)
        {
            bare.Print("bare   ");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio: service / bare throughput = {measured.Throughput:F1} / {bare.Throughput:F1} = {100 * measured.Throughput / bare.Throughput:F1} %"));
        }

        if (floor is { } perCore)
        {
            var cores = Environment.ProcessorCount;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Signer.Algorithm} verify floor: {perCore:F0}/s on one core x {cores} cores = {perCore * cores:F0}/s; service throughput = {100 * measured.Throughput / (perCore * cores):F1} % of it"));
        }

        pool.Report();
        if (tokensFile is not null && measured.FirstError?.Contains("\"replayed\"", StringComparison.Ordinal) == true)
        {
            Console.WriteLine($"tokens: the service had seen these tokens before: {tokensFile} serves one run against a freshly started service; delete it to sign new ones.");
        }

        if (memory is not null)
        {
            await memory.StopAndReportAsync(rssLog);
        }

        return measured.Errors == 0 && measured.Requests > 0 && (bare?.Errors ?? 0) == 0 ? 0 : 1;
    }

    /// <summary>
    /// The same load at the bare endpoint: same body, connections and durations, and a token of the same size in
    /// the header (one, reused: the bare endpoint checks nothing, and the service's supply stays untouched).
    /// </summary>
    private static async Task<PhaseResult> RunBareAsync(Uri baseline, HookTarget target, byte[] body, int concurrency, int warmup, int seconds)
    {
        var url = $"{baseline.ToString().TrimEnd('/')}/cds-services/vertebral-augmentation-{target.Hook}";
        using var http = HookTarget.Client(concurrency);
        using var key = target.Signer.CreateKey();
        var token = target.Signer.HookToken(key, target.Endpoint);
        var (_, error) = await ClosedLoop.SendAsync(http, HookTarget.Post(url, body, "application/json", token));
        if (error is not null)
        {
            throw new RunException($"the bare endpoint at {url} does not answer ({error}); start it with: -- bare --port {baseline.Port}");
        }

        Console.WriteLine($"bare endpoint {url}: {warmup} s warm-up, {seconds} s measured, then the service");
        HttpRequestMessage Next() => HookTarget.Post(url, body, "application/json", token);
        if (warmup > 0)
        {
            await ClosedLoop.RunAsync(http, concurrency, TimeSpan.FromSeconds(warmup), Next);
        }

        return await ClosedLoop.RunAsync(http, concurrency, TimeSpan.FromSeconds(seconds), Next);
    }

    public static readonly string[] SequentialValueOptions = [.. HookTarget.ValueOptions, "--count", "--warmup-count"];

    /// <summary>N calls one after another from one connection: latency without queueing.</summary>
    public static async Task<int> RunSequentialAsync(CliOptions options)
    {
        var target = HookTarget.From(options);
        var count = options.Int("--count", 200, 1, 1_000_000);
        var warmupCount = options.Int("--warmup-count", 500, 0, 1_000_000);
        var body = target.Body(fhirServer: null);
        using var http = HookTarget.Client(1);
        await target.CheckOneCallAsync(http, body);

        var tokens = new string[count + warmupCount];
        using (var key = target.Signer.CreateKey())
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = target.Signer.HookToken(key, target.Endpoint);
            }
        }

        Console.WriteLine($"{target.Endpoint}: {target.Signer.Algorithm}, {body.Length} byte body, {warmupCount} warm-up calls then {count} sequential calls on one connection");
        for (var i = 0; i < warmupCount; i++)
        {
            await ClosedLoop.SendAsync(http, HookTarget.Post(target.Endpoint, body, "application/json", tokens[i]));
        }

        var latencies = new double[count];
        var errors = 0;
        string? firstError = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var (ms, error) = await ClosedLoop.SendAsync(http, HookTarget.Post(target.Endpoint, body, "application/json", tokens[warmupCount + i]));
            latencies[i] = ms;
            if (error is not null)
            {
                errors++;
                firstError ??= error;
            }
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Array.Sort(latencies);
        Console.WriteLine();
        new PhaseResult(latencies, errors, elapsed, firstError).Print("sequential");
        return errors == 0 ? 0 : 1;
    }
}
