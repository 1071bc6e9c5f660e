namespace Assessments.Runner.Sandbox;

/// <summary>The limits every sandbox container gets. A scenario's own limits (memory and processes
/// of the service's sides) take precedence where it sets them; workspace sizes follow from the
/// memory limit so that the tmpfs folders always add up to less than it (a disk fill then reads
/// as "no space left on device", not as an out-of-memory kill).</summary>
public sealed record SandboxLimits
{
    /// <summary>The grader's container: PostgreSQL with the scenario's data, the fakes, the hidden tests.</summary>
    public long GraderMemoryBytes { get; init; } = 3L << 30;

    /// <summary>The grader's workspace (PostgreSQL's data lives there; a 1M-row table takes about 560 MB).</summary>
    public long GraderWorkspaceBytes { get; init; } = 1536L << 20;

    /// <summary><c>/dev/shm</c> of the grader (the 64 MB default broke a parallel hash join).</summary>
    public long GraderShmBytes { get; init; } = 256L << 20;

    /// <summary>CPUs per container (a quota, not a pinning).</summary>
    public double Cpus { get; init; } = 2;

    /// <summary>Processes and threads per container, unless the scenario sets fewer.</summary>
    public long Pids { get; init; } = 512;

    /// <summary>Open files per process.</summary>
    public long OpenFiles { get; init; } = 4096;

    /// <summary>Largest file a process may write.</summary>
    public long FileSizeBytes { get; init; } = 512L << 20;

    /// <summary>Bytes of output one command may print. Past it the output is cut and counted, the
    /// command and what it spawned are killed at once and the verdict is output-limit.</summary>
    public long OutputBytesPerCommand { get; init; } = Hosting.OutputAllowance.Default.BurstBytes;

    /// <summary>What a service may print per second of its life beyond <see cref="OutputBytesPerCommand"/>:
    /// a service runs through the hidden tests and thousands of timed requests, so its whole life
    /// is not one command's allowance.</summary>
    public long ServiceOutputBytesPerSecond { get; init; } = Hosting.OutputAllowance.Default.BytesPerSecond;

    /// <summary>The output allowance of every command and service.</summary>
    public Hosting.OutputAllowance Output => new(OutputBytesPerCommand, ServiceOutputBytesPerSecond);

    /// <summary>Bytes read back from a side in one read (results files, build outputs).</summary>
    public long ReadBytes { get; init; } = 512L << 20;

    /// <summary>Workspace and <c>/tmp</c> sizes for a service side of <paramref name="memoryBytes"/>:
    /// half of it for the workspace, an eighth for <c>/tmp</c>.</summary>
    public static (long Workspace, long Tmp) ServiceTmpfs(long memoryBytes) => (memoryBytes / 2, memoryBytes / 8);

    /// <summary><c>/tmp</c> of the grader.</summary>
    public long GraderTmpBytes { get; init; } = 256L << 20;
}

/// <summary>The least isolation an operator accepts for candidate code. Each flag is checked
/// against what the containers report about themselves, not against what was asked for.</summary>
public sealed record IsolationMinimum
{
    /// <summary>The side sees the loopback interface only.</summary>
    public bool LoopbackOnly { get; init; } = true;

    /// <summary>The side's processes do not run as root.</summary>
    public bool NonRoot { get; init; } = true;

    /// <summary>No effective capabilities.</summary>
    public bool NoCapabilities { get; init; } = true;

    /// <summary><c>no_new_privs</c> is set (setuid binaries cannot raise privileges).</summary>
    public bool NoNewPrivileges { get; init; } = true;

    /// <summary>A seccomp filter is applied.</summary>
    public bool Seccomp { get; init; } = true;

    /// <summary>The root filesystem is read-only.</summary>
    public bool ReadOnlyRoot { get; init; } = true;

    /// <summary>A memory limit is in force.</summary>
    public bool MemoryLimit { get; init; } = true;

    /// <summary>A process limit is in force.</summary>
    public bool PidsLimit { get; init; } = true;

    /// <summary>Every way <paramref name="isolation"/> (one side's probe) falls short, as sentences.</summary>
    public IReadOnlyList<string> ShortfallsOf(IsolationReport isolation)
    {
        var shortfalls = new List<string>();
        if (LoopbackOnly && isolation.Interfaces is not ["lo"])
        {
            shortfalls.Add($"it sees network interfaces {string.Join(", ", isolation.Interfaces)}, not the loopback alone");
        }

        if (NonRoot && isolation.Uid is 0 or null)
        {
            shortfalls.Add("it runs as root");
        }

        if (NoCapabilities && isolation.EffectiveCapabilities is not 0)
        {
            shortfalls.Add($"it holds capabilities {isolation.EffectiveCapabilities:x16}");
        }

        if (NoNewPrivileges && isolation.NoNewPrivileges is not true)
        {
            shortfalls.Add("no_new_privs is not set");
        }

        if (Seccomp && isolation.SeccompMode is not 2)
        {
            shortfalls.Add("no seccomp filter applies");
        }

        if (ReadOnlyRoot && isolation.ReadOnlyRoot is not true)
        {
            shortfalls.Add("its root filesystem is writable");
        }

        if (MemoryLimit && isolation.MemoryLimitBytes is null)
        {
            shortfalls.Add("no memory limit applies");
        }

        if (PidsLimit && isolation.PidsLimit is null)
        {
            shortfalls.Add("no process limit applies");
        }

        return shortfalls;
    }
}

/// <summary>Labels on every container and volume the sandbox creates, so the reaper can find them.</summary>
public static class SandboxLabels
{
    /// <summary>Present on everything the sandbox creates.</summary>
    public const string Sandbox = "assessments.sandbox";

    /// <summary>The grading a container belongs to.</summary>
    public const string Grading = "assessments.grading";

    /// <summary>The side a container runs.</summary>
    public const string Side = "assessments.side";

    /// <summary>Unix time after which a container is certainly abandoned (its grading's limits have all passed).</summary>
    public const string Expires = "assessments.expires";

    /// <summary>On cached volumes (offline feeds): what they cache. Cached volumes outlive gradings.</summary>
    public const string Cache = "assessments.cache";

    /// <summary>The recorded grading (its run's id) a container works for, where there is one.</summary>
    public const string Run = "assessments.run";

    /// <summary>Which attempt of <see cref="Run"/> created the container.</summary>
    public const string Attempt = "assessments.attempt";
}

/// <summary>The attempt of a recorded grading that sandbox containers work for. Only one attempt
/// of a grading is live at a time, so a container of any other attempt is abandoned: its worker
/// died or lost the engine, and the reaper need not wait for its expiry.</summary>
/// <param name="Run">The grading run's id.</param>
/// <param name="Attempt">The attempt, from 1.</param>
public sealed record SandboxOwner(string Run, int Attempt)
{
    /// <summary>The labels that say so on a container.</summary>
    public IEnumerable<KeyValuePair<string, string>> Labels =>
        [new(SandboxLabels.Run, Run), new(SandboxLabels.Attempt, Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The owner <paramref name="labels"/> name; null for a container without one.</summary>
    public static SandboxOwner? From(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(SandboxLabels.Run, out var run)
            && labels.TryGetValue(SandboxLabels.Attempt, out var text)
            && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            ? new SandboxOwner(run, attempt)
            : null;
}
