using System.Globalization;

namespace Assessments.Runner.Sandbox;

/// <summary>What a container observed about its own isolation, read from inside it
/// (<c>/proc/self/status</c>, <c>/proc/net/dev</c>, <c>/proc/self/mountinfo</c>, its cgroup files,
/// its ulimits) by a process of the side's user, so a report states what applied rather than what
/// was asked for.</summary>
public sealed record IsolationReport
{
    /// <summary>The script the side's user runs; it prints <c>key=value</c> lines and needs only
    /// the shell, coreutils, grep and sed.</summary>
    public const string ProbeScript = """
        echo "uid=$(id -u)"
        grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/:[[:space:]]*/=/'
        echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | paste -sd, -)"
        echo "root=$(grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo | cut -d' ' -f6 | cut -d, -f1)"
        c=/sys/fs/cgroup
        if [ -f $c/memory/memory.limit_in_bytes ]; then
          echo "memory=$(cat $c/memory/memory.limit_in_bytes)"; echo "memory_swap=$(cat $c/memory/memory.memsw.limit_in_bytes 2>/dev/null)"
        elif [ -f $c/memory.max ]; then
          echo "memory=$(cat $c/memory.max)"; echo "memory_swap=$(cat $c/memory.swap.max 2>/dev/null)"
        fi
        if [ -f $c/pids/pids.max ]; then echo "pids=$(cat $c/pids/pids.max)"; elif [ -f $c/pids.max ]; then echo "pids=$(cat $c/pids.max)"; fi
        if [ -f $c/cpu/cpu.cfs_quota_us ]; then echo "cpu=$(cat $c/cpu/cpu.cfs_quota_us) $(cat $c/cpu/cpu.cfs_period_us)"; elif [ -f $c/cpu.max ]; then echo "cpu=$(cat $c/cpu.max)"; fi
        echo "open_files=$(ulimit -n)"
        echo "file_size_blocks=$(ulimit -f)"
        """;

    /// <summary>The user id processes run as.</summary>
    public int? Uid { get; init; }

    /// <summary>Effective capability set (0 when all are dropped).</summary>
    public ulong? EffectiveCapabilities { get; init; }

    /// <summary><c>no_new_privs</c>.</summary>
    public bool? NoNewPrivileges { get; init; }

    /// <summary>0 none, 1 strict, 2 filter.</summary>
    public int? SeccompMode { get; init; }

    /// <summary>Network interfaces the side can see.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>The root filesystem is mounted read-only.</summary>
    public bool? ReadOnlyRoot { get; init; }

    /// <summary>The cgroup's memory limit; null when unlimited.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>Memory plus swap; equal to <see cref="MemoryLimitBytes"/> when no swap is allowed; null when unknown or unlimited.</summary>
    public long? MemorySwapLimitBytes { get; init; }

    /// <summary>The cgroup's process limit; null when unlimited.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>CPUs the quota allows; null when unlimited.</summary>
    public double? Cpus { get; init; }

    /// <summary>Open files per process, as <c>ulimit -n</c> says.</summary>
    public string? OpenFiles { get; init; }

    /// <summary>File size limit, as <c>ulimit -f</c> says (blocks, or unlimited).</summary>
    public string? FileSize { get; init; }

    /// <summary>Reads the probe's output.</summary>
    public static IsolationReport Parse(string output)
    {
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
        string? Value(string key) => values.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        return new IsolationReport
        {
            Uid = int.TryParse(Value("uid"), CultureInfo.InvariantCulture, out var uid) ? uid : null,
            EffectiveCapabilities = ulong.TryParse(Value("CapEff"), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps) ? caps : null,
            NoNewPrivileges = Value("NoNewPrivs") is { } nnp ? nnp == "1" : null,
            SeccompMode = int.TryParse(Value("Seccomp"), CultureInfo.InvariantCulture, out var seccomp) ? seccomp : null,
            Interfaces = Value("interfaces")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [],
            ReadOnlyRoot = Value("root") is { } root ? root == "ro" : null,
            MemoryLimitBytes = Limit(Value("memory")),
            MemorySwapLimitBytes = Limit(Value("memory_swap")),
            PidsLimit = Limit(Value("pids")),
            Cpus = CpuQuota(Value("cpu")),
            OpenFiles = Value("open_files"),
            FileSize = Value("file_size_blocks"),
        };
    }

    /// <summary>The report as flat <c>side.key</c> entries, as gradings and <c>/readyz</c> carry it.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries(string side)
    {
        KeyValuePair<string, string> Entry(string key, string value) => new($"{side}.{key}", value);
        yield return Entry("uid", Uid?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
        yield return Entry("network", Interfaces.Count == 0 ? "unknown" : string.Join(",", Interfaces));
        yield return Entry("capabilities", EffectiveCapabilities is { } caps ? caps.ToString("x16", CultureInfo.InvariantCulture) : "unknown");
        yield return Entry("no_new_privileges", Describe(NoNewPrivileges));
        yield return Entry("seccomp", SeccompMode switch { 2 => "filter", 1 => "strict", 0 => "none", _ => "unknown" });
        yield return Entry("read_only_root", Describe(ReadOnlyRoot));
        yield return Entry("memory_mb", MemoryLimitBytes is { } m ? (m >> 20).ToString(CultureInfo.InvariantCulture) : "unlimited");
        yield return Entry("memory_swap_mb", MemorySwapLimitBytes is { } s ? (s >> 20).ToString(CultureInfo.InvariantCulture) : "unknown");
        yield return Entry("pids", PidsLimit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited");
        yield return Entry("cpus", Cpus?.ToString("0.##", CultureInfo.InvariantCulture) ?? "unlimited");
        yield return Entry("open_files", OpenFiles ?? "unknown");
        yield return Entry("file_size_blocks", FileSize ?? "unknown");
    }

    private static string Describe(bool? value) => value switch { true => "yes", false => "no", null => "unknown" };

    // cgroup v1 writes "unlimited" as a page-rounded 2^63; v2 writes "max".
    private static long? Limit(string? text) =>
        long.TryParse(text, CultureInfo.InvariantCulture, out var value) && value is > 0 and < (1L << 62) ? value : null;

    private static double? CpuQuota(string? text)
    {
        var parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is [var quota, var period]
            && double.TryParse(quota, CultureInfo.InvariantCulture, out var q) && q > 0
            && double.TryParse(period, CultureInfo.InvariantCulture, out var p) && p > 0
            ? q / p
            : null;
    }
}
