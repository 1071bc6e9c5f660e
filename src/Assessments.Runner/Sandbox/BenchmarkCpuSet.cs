using System.Globalization;
using System.Text.RegularExpressions;

namespace Assessments.Runner.Sandbox;

/// <summary>Which CPUs every side of a grading is pinned to while the benchmarks time the two
/// services. Both services, PostgreSQL and the harness then run on the same cores for every round
/// of every grading: on a machine whose cores differ (a virtual machine's vCPUs can differ by 1.7x,
/// docs/PERFORMANCE.md), where the scheduler happened to put each process would otherwise decide
/// the ratio.</summary>
public static partial class BenchmarkCpuSet
{
    /// <summary>The setting that leaves the sides unpinned.</summary>
    public const string None = "none";

    /// <summary>Whether <paramref name="setting"/> is one this type understands: empty (the host's
    /// last CPU), <c>none</c>, or a cpuset list such as <c>3</c>, <c>2-3</c> or <c>1,3</c>.</summary>
    public static bool IsValid(string? setting) =>
        string.IsNullOrWhiteSpace(setting) || setting.Trim() == None || CpuList().IsMatch(setting.Trim());

    /// <summary>The cpuset list to pin to on a host with <paramref name="hostCpus"/> CPUs, or null for
    /// no pinning. By default the last CPU: Linux does its housekeeping (timers, most interrupts) on
    /// CPU 0, and one core for all of a grading's timed work keeps its requests, which run one at a
    /// time, off each other's way. A machine with one CPU has nothing to choose.</summary>
    /// <exception cref="ArgumentException">The setting is malformed or names a CPU the host does not have.</exception>
    public static string? Resolve(string? setting, int hostCpus)
    {
        if (!IsValid(setting))
        {
            throw new ArgumentException($"Sandbox:Limits:BenchmarkCpus '{setting}' is not a cpuset list (e.g. 3, 2-3 or 1,3), '{None}' or empty.", nameof(setting));
        }

        if (string.IsNullOrWhiteSpace(setting))
        {
            return hostCpus >= 2 ? (hostCpus - 1).ToString(CultureInfo.InvariantCulture) : null;
        }

        var trimmed = setting.Trim();
        if (trimmed == None)
        {
            return null;
        }

        var highest = trimmed.Split(',', '-').Max(cpu => int.Parse(cpu, CultureInfo.InvariantCulture));
        return highest < hostCpus
            ? trimmed
            : throw new ArgumentException($"Sandbox:Limits:BenchmarkCpus '{trimmed}' names CPU {highest}, but the Docker host has CPUs 0-{hostCpus - 1}.", nameof(setting));
    }

    /// <summary>Every CPU of a host with <paramref name="hostCpus"/> CPUs, as a cpuset list.</summary>
    public static string All(int hostCpus) => hostCpus <= 1 ? "0" : $"0-{hostCpus - 1}";

    [GeneratedRegex(@"^\d+(-\d+)?(,\d+(-\d+)?)*$")]
    private static partial Regex CpuList();
}

/// <summary>Sides pinned to CPUs for a timed stage, until disposed.</summary>
/// <param name="cpus">The cpuset list the sides run on; null when nothing was pinned.</param>
/// <param name="release">Puts the sides back on every CPU.</param>
public sealed class CpuPinning(string? cpus, Func<ValueTask> release) : IAsyncDisposable
{
    /// <summary>Nothing pinned (the local host, a one-CPU machine, or an operator's <c>none</c>).</summary>
    public static CpuPinning Unpinned { get; } = new(null, () => ValueTask.CompletedTask);

    /// <summary>The cpuset list the sides run on; null when nothing was pinned.</summary>
    public string? Cpus { get; } = cpus;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => release();
}
