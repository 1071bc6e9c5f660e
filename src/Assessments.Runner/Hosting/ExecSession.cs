using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Hosting;

/// <summary>One process started in a container through the engine's exec API, its output read as
/// it streams. Standard output can go to a sink (a tar stream); everything else is captured up to
/// a cap and counted beyond it.</summary>
internal sealed class ExecSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly MultiplexedStream _stream;
    private int _disposed;

    private ExecSession(MultiplexedStream stream, CapturedOutput output)
    {
        _stream = stream;
        Output = output;
    }

    /// <summary>What the process printed (standard error only when standard output goes to a sink).</summary>
    public CapturedOutput Output { get; }

    /// <summary>The exit code once the process has ended (-1 when the engine does not know it).</summary>
    public Task<long> Completion { get; private set; } = Task.FromResult(-1L);

    /// <summary>Starts <paramref name="request"/> in <paramref name="container"/>.</summary>
    /// <param name="allowance">How much it may print (for a long-running process, per second it has run).</param>
    /// <param name="onFlood">Called once, from the reading loop, when the output passes the allowance.</param>
    public static async Task<ExecSession> StartAsync(
        IDockerClient docker, string container, ExecRequest request, OutputAllowance allowance, Action? onFlood, CancellationToken cancellationToken, bool longRunning = false)
    {
        var created = await docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
        {
            Cmd = [.. request.Command],
            User = request.User,
            WorkingDir = request.WorkingDirectory ?? "/",
            Env = [.. request.Environment],
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = request.Stdin is not null,
        }, cancellationToken);
        var stream = await docker.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), cancellationToken);
        var session = new ExecSession(stream, new CapturedOutput(allowance, longRunning));
        session.Completion = session.PumpAsync(docker, created.ID, request, onFlood);
        return session;
    }

    private async Task<long> PumpAsync(IDockerClient docker, string execId, ExecRequest request, Action? onFlood)
    {
        // Feed standard input beside reading, or a large input and a chatty process would block each other.
        var input = request.Stdin is { } stdin
            ? Task.Run(async () =>
            {
                await _stream.CopyFromAsync(stdin, _stop.Token);
                _stream.CloseWrite();
            })
            : Task.CompletedTask;

        var buffer = new byte[81920];
        long sunk = 0;
        var flooded = false;
        try
        {
            while (true)
            {
                var read = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, _stop.Token);
                if (read.EOF)
                {
                    break;
                }

                if (read.Target == MultiplexedStream.TargetStream.StandardOut && request.Stdout is { } sink)
                {
                    sunk += read.Count;
                    if (sunk > request.StdoutCap)
                    {
                        throw new OutputTooLargeException(request.StdoutCap);
                    }

                    await sink.WriteAsync(buffer.AsMemory(0, read.Count), _stop.Token);
                    continue;
                }

                Output.Append(buffer.AsSpan(0, read.Count));
                if (Output.Flooded && !flooded)
                {
                    flooded = true;
                    onFlood?.Invoke();
                }
            }

            await input;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return -1;
        }

        var inspect = await docker.Exec.InspectContainerExecAsync(execId, CancellationToken.None);
        return inspect.ExitCode ?? -1;
    }

    /// <summary>Stops reading (the process itself is stopped by killing it or its container).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or DockerApiException)
        {
            // The stream went away with its container.
        }

        _stream.Dispose();
        _stop.Dispose();
    }
}

/// <summary>An exec: the command, its user, folder and environment, and where its streams go.</summary>
internal sealed record ExecRequest(
    IReadOnlyList<string> Command,
    string User,
    string? WorkingDirectory,
    IReadOnlyList<string> Environment,
    Stream? Stdin = null,
    Stream? Stdout = null,
    long StdoutCap = long.MaxValue);

/// <summary>A read from a side passed its cap.</summary>
internal sealed class OutputTooLargeException(long cap) : IOException($"The side wrote more than {cap} bytes where at most that many are read.");

/// <summary>Keeps the first bytes a process prints for the report and counts all of them, so a
/// flood costs memory only up to <see cref="TextCap"/> and is detected at its allowance.</summary>
internal sealed class CapturedOutput(OutputAllowance allowance, bool longRunning)
{
    public const int TextCap = 256 * 1024;

    private readonly MemoryStream _kept = new();
    private readonly System.Diagnostics.Stopwatch _running = System.Diagnostics.Stopwatch.StartNew();
    private long _total;

    /// <summary>Bytes printed in all.</summary>
    public long TotalBytes => Interlocked.Read(ref _total);

    /// <summary>More was printed than was kept.</summary>
    public bool Truncated => TotalBytes > TextCap;

    /// <summary>More was printed than the allowance allows by now.</summary>
    public bool Flooded => TotalBytes > allowance.AllowedAfter(_running.Elapsed, longRunning);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_kept)
        {
            var room = (int)Math.Max(0, TextCap - _kept.Length);
            _kept.Write(bytes[..Math.Min(room, bytes.Length)]);
            _total += bytes.Length;
        }
    }

    public override string ToString()
    {
        lock (_kept)
        {
            var text = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
            return _total > _kept.Length ? $"{text}\n[... {_total - _kept.Length} more bytes cut]\n" : text;
        }
    }
}
