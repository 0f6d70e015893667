using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using VaCdsHooks.Coverage;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Records;
using VaCdsHooks.DemoEhr;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// The decision on its own: assemble the record from parsed resources, evaluate the twelve criteria, build the
/// CRD answer. Everything the hook path adds (HTTP, JWT, parsing, storage) is measured by the load generator.
/// </summary>
[MemoryDiagnoser]
public class CoverageEngineBenchmarks
{
    private CoverageAdvisor _advisor = null!;
    private IReadOnlyList<Resource> _chart = null!;
    private List<Resource> _orders = null!;
    private string _patientId = null!;

    [Params("patient-covered.json", "patient-conditional.json", "patient-not-covered.json")]
    public string Chart { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = Repository.Root();
        var policy = CoveragePolicy.Load(Path.Combine(root, "fhir-resources"), new PolicySettings());
        _advisor = new CoverageAdvisor(policy, new RandomAssertionIdSource());
        _chart = DemoHookRequest.ReadChart(Path.Combine(root, "fhir-resources", "examples", Chart));
        _orders = _chart.OfType<ServiceRequest>().Where(s => s.Status == RequestStatus.Draft).Cast<Resource>().ToList();
        _patientId = _chart.OfType<Patient>().Single().Id!;
    }

    [Benchmark]
    public CoverageAnswer AssembleAndAdvise()
    {
        var record = PatientRecord.Assemble(_patientId, _chart.Where(r => r is not ServiceRequest { Status: RequestStatus.Draft }));
        return _advisor.Advise(new CoverageRequest("order-sign", record, _orders, DateTimeOffset.UtcNow, CrdRequestOptions.Default));
    }
}

internal static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
