using BenchmarkDotNet.Running;
using VaCdsHooks.Benchmarks;

// dotnet run -c Release --project benchmarks/VaCdsHooks.Benchmarks -- engine [BenchmarkDotNet args]
// dotnet run -c Release --project benchmarks/VaCdsHooks.Benchmarks -- load [--service URL] [--concurrency 32] [--seconds 20] [--chart PATH]
return args.FirstOrDefault() switch
{
    "engine" => RunEngine(args[1..]),
    "load" => await HookLoad.RunAsync(HookLoadOptions.Parse(args[1..])),
    _ => Usage(),
};

static int RunEngine(string[] rest)
{
    // Without a filter BenchmarkDotNet asks which benchmark to run; there is one, so run it unasked.
    BenchmarkSwitcher.FromTypes([typeof(CoverageEngineBenchmarks)]).Run(rest.Contains("--filter") ? rest : ["--filter", "*", .. rest]);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: engine [BenchmarkDotNet args] | load [--service URL] [--concurrency N] [--seconds S] [--chart PATH] [--hook HOOK]");
    return 2;
}
