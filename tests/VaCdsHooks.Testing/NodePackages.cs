using System.Diagnostics;

namespace VaCdsHooks.Testing;

/// <summary>
/// Node.js test support: a folder's npm packages restored with <c>npm ci</c> from its committed lock file (only when
/// <c>node_modules</c> is older than the lock file), and tools run in it. Nothing is restored when npm is missing;
/// <see cref="MissingReason"/> says so and the tests that need it skip.
/// </summary>
public static class NodePackages
{
    private static readonly Lock Gate = new();

    /// <summary>Why <paramref name="tools"/> cannot run here (not on PATH), or null when they can.</summary>
    public static string? MissingReason(string purpose, params string[] tools)
    {
        var missing = tools.Where(tool => Which(tool) is null).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing)} not found on PATH: {purpose}; install the Debian 'nodejs' and 'npm' packages (.ci/run does).";
    }

    /// <summary>Runs <c>npm ci</c> in <paramref name="directory"/> unless its node_modules was installed from the current lock file.</summary>
    public static void Restore(string directory)
    {
        var lockFile = Path.Combine(directory, "package-lock.json");
        var installedLock = Path.Combine(directory, "node_modules", ".package-lock.json");
        lock (Gate)
        {
            // npm writes node_modules/.package-lock.json last: newer than the lock file = installed from it.
            if (File.Exists(installedLock) && File.GetLastWriteTimeUtc(installedLock) >= File.GetLastWriteTimeUtc(lockFile))
            {
                return;
            }

            var (exit, stdout, stderr) = Execute("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], directory);
            if (exit != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {directory} ({exit}):\n{stdout}\n{stderr}");
            }
        }
    }

    /// <summary>Runs a tool from PATH in <paramref name="directory"/>; stops it after five minutes.</summary>
    public static (int Exit, string Stdout, string Stderr) Execute(string tool, IEnumerable<string> arguments, string directory)
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
