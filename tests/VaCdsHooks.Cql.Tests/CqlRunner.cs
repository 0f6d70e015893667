using System.Diagnostics;
using System.Text.Json;

namespace VaCdsHooks.Cql.Tests;

/// <summary>
/// Runs <c>cql-runner/run.js</c> (cql-execution + cql-exec-fhir) with Node.js. The npm packages are restored
/// with <c>npm ci</c> from the committed lock file, once per test run and only when <c>node_modules</c> is older
/// than the lock file. Without <c>node</c> and <c>npm</c> on PATH, <see cref="MissingReason"/> says so and the tests skip.
/// </summary>
internal static class CqlRunner
{
    private static readonly Lazy<string?> Missing = new(FindMissing);
    private static readonly Lazy<string> Installed = new(Install);

    /// <summary>Why the ELM cannot be executed here, or null when it can.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>Executes the ELM against each Bundle; results by Bundle path, then by definition name.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Run(string elmFile, string valueSetDirectory, IEnumerable<string> bundles)
    {
        var runner = Installed.Value;
        var (exit, stdout, stderr) = Execute("node", [runner, elmFile, valueSetDirectory, .. bundles], Repository.RunnerDirectory);
        if (exit != 0)
        {
            throw new InvalidOperationException($"node run.js failed ({exit}):\n{stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    private static string? FindMissing()
    {
        var missing = new[] { "node", "npm" }.Where(tool => Which(tool) is null).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing)} not found on PATH: the ELM is executed with Node.js (cql-execution, cql-exec-fhir); install the Debian 'nodejs' and 'npm' packages (.ci/run does).";
    }

    private static string Install()
    {
        var directory = Repository.RunnerDirectory;
        var lockFile = Path.Combine(directory, "package-lock.json");
        var installedLock = Path.Combine(directory, "node_modules", ".package-lock.json");

        // npm writes node_modules/.package-lock.json last: newer than the lock file = installed from it.
        if (!File.Exists(installedLock) || File.GetLastWriteTimeUtc(installedLock) < File.GetLastWriteTimeUtc(lockFile))
        {
            var (exit, stdout, stderr) = Execute("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], directory);
            if (exit != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {directory} ({exit}):\n{stdout}\n{stderr}");
            }
        }

        return Path.Combine(directory, "run.js");
    }

    private static (int Exit, string Stdout, string Stderr) Execute(string tool, IEnumerable<string> arguments, string directory)
    {
        var start = new ProcessStartInfo(Which(tool) ?? tool)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within 5 minutes");
        }

        return (process.ExitCode, stdout, stderr.Result);
    }

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}
