using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>The app's error-level log lines, kept so a test that gets a 500 can say why; each with
/// the logger's category, so a test can look at its own area's lines while other tests run.</summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, string Line)> _lines = new();

    public IReadOnlyCollection<string> Lines => [.. _lines.Select(l => l.Line)];

    /// <summary>The lines logged so far under a category that starts with one of <paramref name="prefixes"/>.</summary>
    public IReadOnlyList<string> From(params string[] prefixes) =>
        [.. _lines.Where(l => prefixes.Any(p => l.Category.StartsWith(p, StringComparison.Ordinal))).Select(l => $"[{l.Category}] {l.Line}")];

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CategoryLogger(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._lines.Enqueue((category, $"{formatter(state, exception)} {exception}"));
            }
        }
    }
}
