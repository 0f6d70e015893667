using System.Globalization;

namespace VaCdsHooks.Benchmarks;

/// <summary>
/// Samples a process's resident set (VmRSS in /proc/PID/status) once a second while a run goes on, so a run reports
/// where memory started, peaked and ended; <c>--rss-log</c> keeps the end of one run to compare the next with.
/// </summary>
public sealed class ServiceMemory : IAsyncDisposable
{
    private readonly int _pid;
    private readonly List<long> _samplesKb = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private ServiceMemory(int pid) => _pid = pid;

    /// <summary>The process named by <c>--pid</c>: a number, or <c>auto</c> for the one listening on the service's port.</summary>
    public static ServiceMemory? From(string? pidOption, Uri service)
    {
        if (pidOption is null)
        {
            return null;
        }

        int pid;
        if (pidOption == "auto")
        {
            pid = FindListener(service.Port) ?? throw new RunException($"--pid auto: no process of ours listens on port {service.Port}; pass --pid PID.");
            Console.WriteLine($"memory: pid {pid} listens on port {service.Port}");
        }
        else if (!int.TryParse(pidOption, NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 0)
        {
            throw new UsageException($"--pid must be a process id or 'auto', not '{pidOption}'.");
        }

        var memory = new ServiceMemory(pid);
        if (memory.ReadKb() is null)
        {
            throw new RunException($"--pid {pid}: cannot read /proc/{pid}/status (no such process, or not Linux).");
        }

        return memory;
    }

    public void Start()
    {
        Sample();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Sample();
            }
        });
    }

    public async Task StopAndReportAsync(string? logFile)
    {
        await StopAsync();
        Sample();
        if (_samplesKb.Count == 0)
        {
            return;
        }

        var (start, max, end) = (_samplesKb[0] / 1024.0, _samplesKb.Max() / 1024.0, _samplesKb[^1] / 1024.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: service VmRSS (pid {_pid}, {_samplesKb.Count} samples)  start {start:F0} MB  max {max:F0} MB  end {end:F0} MB"));
        if (logFile is null)
        {
            return;
        }

        if (File.Exists(logFile) && double.TryParse(File.ReadAllText(logFile).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var previousEnd))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory: end of this run vs end of the previous run ({logFile}): {previousEnd:F0} MB -> {end:F0} MB ({end - previousEnd:+0;-0} MB)"));
        }

        File.WriteAllText(logFile, end.ToString("F1", CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task StopAsync()
    {
        if (_loop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _loop = null;
    }

    private void Sample()
    {
        if (ReadKb() is { } kb)
        {
            lock (_samplesKb)
            {
                _samplesKb.Add(kb);
            }
        }
    }

    private long? ReadKb()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// The process with a listening TCP socket on <paramref name="port"/>: the socket's inode from /proc/net/tcp(6),
    /// then the process whose fd table holds that socket. Only our own processes are readable, which is enough.
    /// </summary>
    private static int? FindListener(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is ADDR:PORT in hex; state 0A is LISTEN.
                if (fields.Length > 9 && fields[3] == "0A"
                    && int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add($"socket:[{fields[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just ended.
            }
        }

        return null;
    }
}
