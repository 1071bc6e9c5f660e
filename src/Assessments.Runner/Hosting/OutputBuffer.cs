using System.Diagnostics;
using System.Text;

namespace Assessments.Runner.Hosting;

/// <summary>Keeps the first <see cref="Cap"/> characters a process prints and counts the rest, so
/// a flood costs memory only up to the cap; says when the count passes the process's allowance.</summary>
internal sealed class OutputBuffer(OutputAllowance allowance, bool longRunning)
{
    public const int Cap = 256 * 1024;

    private readonly StringBuilder _text = new();
    private readonly Stopwatch _running = Stopwatch.StartNew();
    private long _dropped;
    private long _total;

    public bool Truncated => Interlocked.Read(ref _dropped) > 0;

    /// <summary>More was printed than the allowance allows by now.</summary>
    public bool Flooded => Interlocked.Read(ref _total) > allowance.AllowedAfter(_running.Elapsed, longRunning);

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            _total += line.Length + 1;
            if (_text.Length + line.Length + 1 <= Cap)
            {
                _text.AppendLine(line);
            }
            else
            {
                _dropped += line.Length + 1;
            }
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _dropped == 0 ? _text.ToString() : $"{_text}[... {_dropped} more characters cut]\n";
        }
    }
}
