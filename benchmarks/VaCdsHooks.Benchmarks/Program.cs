using BenchmarkDotNet.Running;
using VaCdsHooks.Benchmarks;

// dotnet run -c Release --project benchmarks/VaCdsHooks.Benchmarks -- <engine|load|fetch|bare|sequential|package> [options]; --help on any.
var command = args.FirstOrDefault();
var rest = args.Length > 1 ? args[1..] : [];
if (command is null or "help" or "--help" or "-h")
{
    Console.WriteLine(Help.Overview);
    return command is null ? 2 : 0;
}

if (!Help.ByCommand.TryGetValue(command, out var help))
{
    Console.Error.WriteLine($"error: unknown subcommand '{command}'.");
    Console.Error.WriteLine(Help.Overview);
    return 2;
}

if (CliOptions.AsksForHelp(rest))
{
    Console.WriteLine(help);
    return 0;
}

try
{
    return command switch
    {
        "engine" => RunEngine(rest),
        "stages" => HookStages.Run(CliOptions.Parse(command, rest, HookStages.ValueOptions, [])),
        "load" => await HookLoad.RunAsync(CliOptions.Parse(command, rest, HookLoad.LoadValueOptions, HookLoad.LoadFlags), fetch: false),
        "fetch" => await HookLoad.RunAsync(CliOptions.Parse(command, rest, HookLoad.LoadValueOptions, HookLoad.LoadFlags), fetch: true),
        "bare" => await BareEndpoint.RunAsync(CliOptions.Parse(command, rest, ["--port"], [])),
        "sequential" => await HookLoad.RunSequentialAsync(CliOptions.Parse(command, rest, HookLoad.SequentialValueOptions, [])),
        "package" => await PackageLoad.RunAsync(CliOptions.Parse(command, rest, PackageLoad.ValueOptions, [])),
        _ => throw new UsageException($"unknown subcommand '{command}'."),
    };
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine($"see: -- {command} --help");
    return 2;
}
catch (RunException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"error: {ex.Message} (is the service running at the --service address?)");
    return 1;
}

static int RunEngine(string[] rest)
{
    // Without a filter BenchmarkDotNet asks which benchmark to run; there is one, so run it unasked.
    var summaries = BenchmarkSwitcher.FromTypes([typeof(CoverageEngineBenchmarks)]).Run(rest.Contains("--filter") ? rest : ["--filter", "*", .. rest]);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}

/// <summary>Usage of the tool and of each subcommand.</summary>
internal static class Help
{
    private const string Run = "dotnet run -c Release --project benchmarks/VaCdsHooks.Benchmarks --";

    private const string Hook = """
          --service URL        the service (default http://localhost:5080); it must run in Development, whose
                               demo EHR clients (appsettings.Development.json) trust the keys in demo/
          --alg ES384|RS384    which demo EHR client signs the hook tokens (default ES384)
          --chart PATH         example chart (default fhir-resources/examples/patient-conditional.json)
          --hook HOOK          order-sign (default), order-select, order-dispatch, appointment-book
        """;

    public const string Overview = $"""
        Speed and memory of VaCdsHooks.
        usage: {Run} <subcommand> [options]      (--help after a subcommand for its options)

          engine       the decision alone, in-process (BenchmarkDotNet)
          stages       one hook call's stages in-process (token, parse, assemble, decide, answer, chart): µs and KB each
          load         closed-loop hook calls against the running service; with --baseline side by side with
                       the bare endpoint, plus the ES384/RS384 verify floor and the service's memory (--pid)
          fetch        load without prefetch: the service reads the chart from a stub FHIR server started here
          bare         a bare Kestrel endpoint (own process) that reads the body and answers fixed JSON
          sequential   N order-sign calls one after another on one connection
          package      DTR $questionnaire-package under closed-loop load

        Exit code: 0 when every request succeeded, 1 on request errors or a failed run, 2 on a bad command line.
        """;

    public static IReadOnlyDictionary<string, string> ByCommand { get; } = new Dictionary<string, string>
    {
        ["engine"] = $"""
            usage: {Run} engine [BenchmarkDotNet options]
            The decision alone (assemble the record, evaluate the criteria, build the CRD answer) for the three
            example charts, with allocations. Any BenchmarkDotNet option passes through, e.g. --job short|medium,
            --filter '*'. BenchmarkDotNet's own help: {Run} engine --list flat
            """,
        ["stages"] = $"""
            usage: {Run} stages [options]
            One hook call taken apart, in-process on one thread with the service's own code: the JWT check, reading
            the body into FHIR objects (strict, as the service does), assembling the record from prefetch, the
            decision with its cards, the answer's JSON and the chart kept for documentation. Prints microseconds and
            kilobytes allocated per call for each, their total, and the calls/s those stages alone allow on this
            machine's cores: the ceiling before HTTP, the database and contention.
              --alg ES384|RS384    which demo EHR key signs the token (default ES384)
              --chart PATH         example chart (default fhir-resources/examples/patient-conditional.json)
              --hook HOOK          order-sign (default), order-select, order-dispatch, appointment-book
              --iterations N       measured calls per stage (default 20000), after as many unmeasured
            """,
        ["load"] = $"""
            usage: {Run} load [options]
            Closed-loop load: --concurrency connections, each sending its next signed hook call as soon as the
            previous answer is read, for --warmup then --seconds seconds. Prints throughput, p50/p90/p99/max,
            and the signature verify floor: how many ES384 (or RS384) verifications one core does per second
            (measured here, ~2 s), times the cores, and the service's throughput as a percentage of that.
            {Hook}
              --concurrency N      connections (default 32)
              --seconds S          measured seconds (default 20)
              --warmup S           unmeasured warm-up seconds first (default 5)
              --baseline URL       first run the same load (same body, connections, durations) against the bare
                                   endpoint at URL (start it with: {Run} bare --port 5081), then the service,
                                   and print both and the ratio service/bare
              --fetch              fetch mode (same as the 'fetch' subcommand)
              --fhir-server URL    fetch mode: where the stub FHIR server listens and what fhirServer says
                                   (default http://localhost:5090/fhir, the Development client's FHIR server)
              --rate N             tokens are pre-signed for N requests/s over warm-up + measured time; default:
                                   1.25 x the bare endpoint's throughput (with --baseline) or, for ES384, 1.5 x
                                   the verify floor, whichever is lower (the service can beat neither), else 4000. A run that
                                   needs more signs the rest on the fly and says so loudly
              --tokens-file PATH   keep the pre-signed tokens in PATH and reuse them on the next run. Tokens live
                                   5 minutes and the service accepts each jti once, so a file serves ONE run
                                   against a freshly started service (new database) within 4 minutes of signing
              --pid PID|auto       sample the service's VmRSS (/proc/PID/status) every second during the run and
                                   print start/max/end; auto finds the process listening on the service's port
              --rss-log PATH       with --pid: compare this run's end VmRSS with the previous run's, kept in PATH
              --no-floor           skip the verify-floor measurement
            """,
        ["fetch"] = $"""
            usage: {Run} fetch [load options]
            The load of 'load', but the hook requests carry no prefetch: they name fhirServer (the stub FHIR server
            this tool starts at --fhir-server, default http://localhost:5090/fhir) and fhirAuthorization, and the
            service reads the Patient and every search template from it. The stub answers a read with the chart's
            resource and a search with all the chart's resources of that type. Prints how many FHIR requests
            the stub answered per hook call. The service's client must list the stub's URL in FhirServers.
            Options: as for 'load' (--help there).
            """,
        ["bare"] = $"""
            usage: {Run} bare [--port 5081]
            A bare Kestrel endpoint on http://localhost:PORT: any request path, reads the request body fully into
            memory and answers a small fixed JSON. Runs until Ctrl+C. Use it as 'load --baseline http://localhost:PORT'.
            """,
        ["sequential"] = $"""
            usage: {Run} sequential [options]
            --count hook calls one after another on one connection (tokens signed first): latency without queueing.
            {Hook}
              --count N            measured calls (default 200)
              --warmup-count N     unmeasured calls first (default 500: the service's code reaches its optimized tier)
            """,
        ["package"] = $"""
            usage: {Run} package [options]
            DTR $questionnaire-package as a DTR client calls it: a SMART Backend Services access token for the demo
            EHR client (client_credentials with a signed client assertion; in Development the registered EHR
            clients are the DTR clients), one order-sign call on a fresh order of the chart to get a coverage
            assertion that asks for documentation, then closed-loop POSTs of the package for that assertion.
              --service URL        the service (default http://localhost:5080), in Development
              --alg ES384|RS384    which demo client authenticates (default ES384)
              --chart PATH         a chart whose order needs documentation (default patient-conditional.json)
              --concurrency N      connections (default 2)
              --seconds S          measured seconds (default 20; at most 240, the access token lives 5 minutes)
              --warmup S           unmeasured warm-up seconds (default 5)
              --pid PID|auto       sample the service's VmRSS during the run
              --rss-log PATH       with --pid: compare with the previous run's end VmRSS
            """,
    };
}
