using Hangfire.Logging;

namespace VaCdsHooks.Api.Jobs;

/// <summary>
/// Hangfire's log provider is process-wide (static), while logger factories belong to a host. When two hosts share a
/// process (integration tests, an in-process restart) and the one that set the provider is disposed, Hangfire's
/// logging must fall silent rather than throw inside job creation and the workers.
/// </summary>
internal sealed class HostLogProvider(ILogProvider inner) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new HostLog(inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return SilentLog.Instance;
        }
    }

    private sealed class HostLog(ILog inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner.Log(logLevel, messageFunc, exception);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    private sealed class SilentLog : ILog
    {
        public static readonly SilentLog Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
