using System.Text;

namespace Assessments.Runner.Hosting;

/// <summary>Keeps the first <see cref="Cap"/> characters a process prints and counts the rest, so
/// a flood costs memory only up to the cap.</summary>
internal sealed class OutputBuffer
{
    public const int Cap = 256 * 1024;

    private readonly StringBuilder _text = new();
    private long _dropped;

    public bool Truncated => Interlocked.Read(ref _dropped) > 0;

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
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
