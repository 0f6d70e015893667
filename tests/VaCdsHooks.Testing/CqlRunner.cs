using System.Text.Json;

namespace VaCdsHooks.Testing;

/// <summary>
/// Runs <c>tests/VaCdsHooks.Cql.Tests/cql-runner/run.js</c> (cql-execution + cql-exec-fhir) with Node.js, its npm
/// packages restored once per test run (<see cref="NodePackages.Restore"/>). Without <c>node</c> and <c>npm</c> on
/// PATH, <see cref="MissingReason"/> says so and the tests skip.
/// </summary>
public static class CqlRunner
{
    private static readonly Lazy<string?> Missing = new(() => NodePackages.MissingReason("the ELM is executed with Node.js (cql-execution, cql-exec-fhir)", "node", "npm"));
    private static readonly Lazy<string> Installed = new(() =>
    {
        NodePackages.Restore(RunnerDirectory);
        return Path.Combine(RunnerDirectory, "run.js");
    });

    /// <summary>The runner's folder (package.json, lock file, run.js).</summary>
    public static string RunnerDirectory => Path.Combine(RepositoryRoot.Path, "tests", "VaCdsHooks.Cql.Tests", "cql-runner");

    /// <summary>Why the ELM cannot be executed here, or null when it can.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>Executes the ELM against each Bundle; results by Bundle path, then by definition name.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Run(string elmFile, string valueSetDirectory, IEnumerable<string> bundles)
    {
        var runner = Installed.Value;
        var (exit, stdout, stderr) = NodePackages.Execute("node", [runner, elmFile, valueSetDirectory, .. bundles], RunnerDirectory);
        if (exit != 0)
        {
            throw new InvalidOperationException($"node run.js failed ({exit}):\n{stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
