using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Hosting;

/// <summary>Where a grading plan runs: the local-process host for authors and tests, the Docker
/// host for candidates. The plan talks to its sides only through this interface, and the sides
/// talk to each other only over HTTP and PostgreSQL on 127.0.0.1.</summary>
public interface IGradingHost : IAsyncDisposable
{
    /// <summary><c>local</c> or <c>docker</c>, as reports name it.</summary>
    string Name { get; }

    /// <summary>What each side observed about its own isolation.</summary>
    IReadOnlyDictionary<string, string> Isolation { get; }

    /// <summary>The sandbox image's id (<c>sha256:…</c>); null on a host without one.</summary>
    string? ImageDigest { get; }

    /// <summary>Folder of the PostgreSQL server binaries on the grader side.</summary>
    string PostgresBin { get; }

    /// <summary>What builds of the grader's projects depend on besides the scenario version (the
    /// image, or the machine): builds are cached per version and scope.</summary>
    string BuildCacheScope { get; }

    /// <summary>Where the sides restore NuGet packages from and which packages that allows; null
    /// when restores use the machine's own configuration (the local host).</summary>
    PackageSource? Packages { get; }

    /// <summary>The absolute path of <paramref name="relative"/> in a side's workspace, as that side's processes see it.</summary>
    string PathOf(Side side, string relative);

    /// <summary>A free TCP port on the shared loopback.</summary>
    int AllocatePort();

    /// <summary>Writes files into a side's workspace, below <paramref name="folder"/>.</summary>
    Task PutFilesAsync(Side side, string folder, IEnumerable<PackageFile> files, CancellationToken cancellationToken);

    /// <summary>Every file below <paramref name="folder"/> of a side's workspace, in canonical order.</summary>
    Task<IReadOnlyList<PackageFile>> ReadFilesAsync(Side side, string folder, CancellationToken cancellationToken);

    /// <summary>Reads a file a side wrote, or null when there is none.</summary>
    Task<string?> ReadFileAsync(Side side, string path, CancellationToken cancellationToken);

    /// <summary>Runs a command to completion, killing it at its timeout.</summary>
    Task<CommandResult> RunAsync(Side side, CommandSpec command, CancellationToken cancellationToken);

    /// <summary>Starts a long-running process (a service, the fakes, PostgreSQL's postmaster is run by <see cref="RunAsync"/>).</summary>
    Task<IBackgroundProcess> StartAsync(Side side, CommandSpec command, CancellationToken cancellationToken);

    /// <summary>GETs <paramref name="url"/> on the shared loopback from the grader's side, every
    /// 100 ms, until it answers 2xx (true), <paramref name="timeout"/> passes or
    /// <paramref name="watched"/> exits (false).</summary>
    Task<bool> WaitForHttpAsync(string url, TimeSpan timeout, IBackgroundProcess watched, CancellationToken cancellationToken);

    /// <summary>A limit as a reviewer reads it, with its size on this host ("the file-size limit
    /// of 512 MB per file").</summary>
    string Describe(LimitHit limit);
}

/// <summary>A limit that stopped a side's process.</summary>
public enum LimitHit
{
    /// <summary>Killed by the kernel for memory.</summary>
    OutOfMemory,

    /// <summary>Printed past the output cap; cut and killed.</summary>
    OutputLimit,

    /// <summary>Killed by SIGXFSZ: a file grew past the file-size limit.</summary>
    FileSize,

    /// <summary>Could not start a process or thread: the process limit.</summary>
    Processes,

    /// <summary>Its workspace filled up.</summary>
    DiskFull,
}

/// <summary>An offline package source and the packages it holds.</summary>
/// <param name="ConfigFile">The NuGet configuration restores use, as the sides see it.</param>
/// <param name="Allowed">Every package the source holds, as lower-case <c>id/version</c>.</param>
public sealed record PackageSource(string ConfigFile, IReadOnlySet<string> Allowed);

/// <summary>A command on a side. Paths are relative to the side's workspace.</summary>
/// <param name="FileName">The program (<c>dotnet</c>, <c>initdb</c>).</param>
/// <param name="Arguments">Its arguments, unquoted.</param>
/// <param name="WorkingDirectory">Relative to the side's workspace; null for the workspace itself.</param>
/// <param name="Environment">Variables to set; nothing else of the host's environment leaks in beyond PATH, HOME and the .NET variables.</param>
/// <param name="Timeout">Wall clock; the process tree is killed when it passes.</param>
/// <param name="AsDatabaseOwner">Run as the user that owns the grading PostgreSQL (it refuses root).</param>
public sealed record CommandSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    bool AsDatabaseOwner = false);

/// <summary>How a command ended.</summary>
/// <param name="ExitCode">The exit code; -1 when killed at the timeout.</param>
/// <param name="Output">Standard output and error interleaved, capped.</param>
/// <param name="OutputTruncated">True when output passed the cap and was cut.</param>
/// <param name="TimedOut">True when it was killed at its timeout.</param>
/// <param name="Duration">Wall-clock time.</param>
/// <param name="Limit">The limit that stopped it, if one did: the host knows the output cap, the
/// kernel's memory and file-size kills; a full disk or the process limit only show in the output
/// (<see cref="LimitFromOutput"/>).</param>
public sealed record CommandResult(int ExitCode, string Output, bool OutputTruncated, bool TimedOut, TimeSpan Duration, LimitHit? Limit = null)
{
    /// <summary>Exited 0 in time.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The exit status of a process the kernel killed with SIGXFSZ, as a shell reports it.</summary>
    public const int FileSizeSignalExit = 128 + 25;

    /// <summary>The limit behind a failure, as far as the exit and the output tell: the host's own
    /// finding first, then SIGXFSZ, then what the process said about a full disk or a fork that
    /// failed. Null for a plain failure.</summary>
    public LimitHit? LimitFromOutput()
    {
        if (Limit is { } known)
        {
            return known;
        }

        if (Succeeded || TimedOut)
        {
            return null;
        }

        return ExitCode == FileSizeSignalExit || Output.Contains("File size limit exceeded", StringComparison.Ordinal) ? LimitHit.FileSize
            : Output.Contains("No space left on device", StringComparison.Ordinal) ? LimitHit.DiskFull
            : ProcessLimitMarkers.Any(m => Output.Contains(m, StringComparison.Ordinal)) ? LimitHit.Processes
            : null;
    }

    // What the shell, the .NET runtime and MSBuild print when fork, clone or pthread_create fail with EAGAIN.
    private static readonly string[] ProcessLimitMarkers =
        ["Resource temporarily unavailable", "fork: retry", "pthread_create failed", "Thread creation failed", "Cannot create thread"];

    /// <summary>The stage this command was, as a report records it.</summary>
    /// <param name="anyExitIsOk">The exit code says nothing about the stage (tests that are
    /// expected to fail); only a timeout fails it.</param>
    public StageOutcome ToStage(string stage, Side side, bool anyExitIsOk = false) =>
        new(stage, side,
            TimedOut ? StageStatus.TimedOut : ExitCode == 0 || anyExitIsOk ? StageStatus.Ok : StageStatus.Failed,
            Duration.TotalMilliseconds, TimedOut ? null : ExitCode, LogTail(Output));

    /// <summary>The most of a stage's output a report keeps: its end, where the failure is.</summary>
    public const int StageLogChars = 8 * 1024;

    /// <summary>The last <see cref="StageLogChars"/> characters of <paramref name="output"/>, from
    /// a line start, marked when cut; null when there was none.</summary>
    public static string? LogTail(string output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }

        if (output.Length <= StageLogChars)
        {
            return output;
        }

        var tail = output[^StageLogChars..];
        var lineStart = tail.IndexOf('\n');
        return $"[{output.Length - StageLogChars + lineStart + 1:N0} earlier characters left out]\n" + (lineStart >= 0 ? tail[(lineStart + 1)..] : tail);
    }
}

/// <summary>A process started with <see cref="IGradingHost.StartAsync"/>.</summary>
public interface IBackgroundProcess : IAsyncDisposable
{
    /// <summary>True once it has exited.</summary>
    bool HasExited { get; }

    /// <summary>What it printed so far, capped.</summary>
    string Output { get; }

    /// <summary>Kills it and what it spawned at once (SIGKILL), as a crash or an operator's kill would.</summary>
    Task KillAsync(CancellationToken cancellationToken);

    /// <summary>The limit that stopped it: the output allowance when the host killed it for
    /// printing past it, memory when it has exited and the kernel killed a process of its side for
    /// memory while it ran; null while it runs, or when it ended for any other reason.</summary>
    Task<LimitHit?> StoppedByAsync(CancellationToken cancellationToken);
}

/// <summary>How much a process may print before the host stops it: a one-off command
/// <see cref="BurstBytes"/> in all; a long-running process (a service) that much at once plus
/// <see cref="BytesPerSecond"/> for every second it has run, so a service that logs each request
/// lives through thousands of them while one that prints in a loop is stopped within a second.</summary>
public sealed record OutputAllowance(long BurstBytes, long BytesPerSecond)
{
    /// <summary>16 MB, and 4 MB a second for services: twenty times what a service logging a line
    /// per request prints at a few thousand requests a second, a fiftieth of what a print loop does.</summary>
    public static OutputAllowance Default { get; } = new(16L << 20, 4L << 20);

    /// <summary>Bytes a process may have printed after <paramref name="elapsed"/>.</summary>
    public long AllowedAfter(TimeSpan elapsed, bool longRunning) =>
        longRunning ? BurstBytes + (long)(BytesPerSecond * elapsed.TotalSeconds) : BurstBytes;
}
