using System.Collections.Concurrent;

namespace ConflictLedger.Server.Tests;

/// <summary>
/// The last lines a test server logged, kept in memory so a test that fails on something
/// the server did in the background (an agent that never came back after an outage, say)
/// can put them in its failure message.
/// </summary>
public sealed class RecentLog(int capacity = 300) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public override string ToString() => string.Join('\n', lines);

    public void Dispose() { }

    private void Add(string line)
    {
        lines.Enqueue(line);
        while (lines.Count > capacity) lines.TryDequeue(out _);
    }

    private sealed class Logger(RecentLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var error = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message.Split('\n')[0]})";
            log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{error}");
        }
    }
}
