using Assessments.Runner.Hosting;
using Assessments.Runner.Results;

namespace Assessments.Runner.Execution;

/// <summary>Words for a test run that ended without results, to follow its subject ("The public
/// tests …"): the limit that stopped it with its size on the host, else the signal or exit code.
/// A run that says nothing about its tests never counts as a run whose tests passed.</summary>
public static class TestRunFailure
{
    /// <summary>What ended <paramref name="run"/>: <paramref name="limit"/> when one did, else how it exited.</summary>
    public static string Describe(CommandResult run, LimitHit? limit, IGradingHost host) => limit switch
    {
        LimitHit.FileSize => $"were killed for writing a file past {host.Describe(LimitHit.FileSize)}",
        LimitHit.OutOfMemory => $"ran out of memory: the kernel killed them at {host.Describe(LimitHit.OutOfMemory)}",
        LimitHit.OutputLimit => $"printed past {host.Describe(LimitHit.OutputLimit)} and were stopped",
        LimitHit.Processes => $"could not start a process or thread at {host.Describe(LimitHit.Processes)}",
        LimitHit.DiskFull => $"filled their disk ({host.Describe(LimitHit.DiskFull)})",
        _ when run.TimedOut => "ran past their time limit",
        _ when run.ExitCode > 128 && run.ExitCode < 160 => $"were killed by signal {run.ExitCode - 128}{SignalName(run.ExitCode - 128)}",
        _ => $"exited with code {run.ExitCode}",
    };

    /// <summary>The verdict a limit gives: its own for memory and output, resource-limit for the others.</summary>
    public static Verdict VerdictOf(LimitHit limit) => limit switch
    {
        LimitHit.OutOfMemory => Verdict.OutOfMemory,
        LimitHit.OutputLimit => Verdict.OutputLimit,
        _ => Verdict.ResourceLimit,
    };

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT: the runtime aborted)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
