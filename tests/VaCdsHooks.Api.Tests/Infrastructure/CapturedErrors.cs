using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace VaCdsHooks.Api.Tests.Infrastructure;

/// <summary>
/// The service's error logs during a test, so an unexpected 500 in an assertion message says what went wrong inside
/// instead of only that something did.
/// </summary>
public sealed class CapturedErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public string Text => _entries.IsEmpty ? "(no errors logged)" : string.Join("\n", _entries.TakeLast(10));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
