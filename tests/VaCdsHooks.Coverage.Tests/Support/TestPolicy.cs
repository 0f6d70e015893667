using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Tests.Support;

/// <summary>The real fhir-resources/ directory of the repository, loaded once.</summary>
internal static class TestPolicy
{
    private static readonly Lazy<CoveragePolicy> DefaultPolicy = new(() => Load(PolicySettings.Default));

    public static CoveragePolicy Default => DefaultPolicy.Value;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string FhirResources => Path.Combine(RepositoryRoot, "fhir-resources");

    /// <summary>Copies of public CRD conformance-kit fixtures, kept beside the tests.</summary>
    public static string Fixtures => Path.Combine(RepositoryRoot, "tests", "VaCdsHooks.Coverage.Tests", "Fixtures");

    public static CoveragePolicy Load(PolicySettings settings) => CoveragePolicy.Load(FhirResources, settings);

    public static CoveragePolicy With(Action<PolicySettings> change)
    {
        var settings = PolicySettings.Default;
        change(settings);
        return Load(settings);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VaCdsHooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("VaCdsHooks.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Predictable ids so tests can assert them, ... / PA-1, ... / card uuids from a counter.</summary>
internal sealed class SequentialIds : IAssertionIdSource
{
    private int _assertion;
    private int _pa;
    private int _card;

    public string NewAssertionId() => "A-" + Interlocked.Increment(ref _assertion);

    public string NewSatisfiedPaId() => "PA-" + Interlocked.Increment(ref _pa);

    public string NewCardUuid() => $"00000000-0000-4000-8000-{Interlocked.Increment(ref _card):D12}";
}
