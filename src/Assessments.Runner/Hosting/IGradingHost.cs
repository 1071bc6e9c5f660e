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

    /// <summary>The limit a side's processes ran into since the grading began, if any (the kernel
    /// killed one for memory, or one printed past the output cap).</summary>
    Task<LimitHit?> LimitHitAsync(Side side, CancellationToken cancellationToken);
}

/// <summary>A limit that stopped a side's process.</summary>
public enum LimitHit
{
    /// <summary>Killed by the kernel for memory.</summary>
    OutOfMemory,

    /// <summary>Printed past the output cap; cut and killed.</summary>
    OutputLimit,
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
/// <param name="Limit">The limit that stopped it, if one did.</param>
public sealed record CommandResult(int ExitCode, string Output, bool OutputTruncated, bool TimedOut, TimeSpan Duration, LimitHit? Limit = null)
{
    /// <summary>Exited 0 in time.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The stage this command was, as a report records it.</summary>
    /// <param name="anyExitIsOk">The exit code says nothing about the stage (tests that are
    /// expected to fail); only a timeout fails it.</param>
    public StageOutcome ToStage(string stage, Side side, bool anyExitIsOk = false) =>
        new(stage, side,
            TimedOut ? StageStatus.TimedOut : ExitCode == 0 || anyExitIsOk ? StageStatus.Ok : StageStatus.Failed,
            Duration.TotalMilliseconds, TimedOut ? null : ExitCode);
}

/// <summary>A process started with <see cref="IGradingHost.StartAsync"/>.</summary>
public interface IBackgroundProcess : IAsyncDisposable
{
    /// <summary>True once it has exited.</summary>
    bool HasExited { get; }

    /// <summary>What it printed so far, capped.</summary>
    string Output { get; }

    /// <summary>Kills it at once (SIGKILL), as a crash or an operator's kill would.</summary>
    Task KillAsync(CancellationToken cancellationToken);
}
