using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;
using Assessments.Scenarios;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Hosting;

/// <summary>Runs each side of a grading in its own container: the grader's with no network at all,
/// the candidate's and the baseline's joined to the grader's loopback-only namespace and nothing
/// else. Each side runs as its own uid, on a read-only root with size-capped tmpfs workspaces,
/// without capabilities, under memory, CPU, process, file and wall-clock limits. Every step is an
/// exec and every file moves as a tar stream through exec, so there is no host bind mount and a
/// worker that itself runs in a container with the engine's socket works the same.</summary>
public sealed class DockerHost : IGradingHost
{
    private const string Workspace = "/work";
    private const string Home = "/work/.home";
    private const string PidFolder = "/work/.pids";

    /// <summary>Prints how many processes the kernel killed for memory in the container's cgroup (v1 or v2).</summary>
    private const string OomKillsScript = "f=/sys/fs/cgroup/memory/memory.oom_control; [ -f $f ] || f=/sys/fs/cgroup/memory.events; grep '^oom_kill ' $f | cut -d' ' -f2";
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>Start of the shell line of a service side's command or service: every process of the
    /// side's uid that an earlier command left running is killed (`kill -9 -1` spares only the
    /// caller, this shell) before the command takes the shell's place. Ours runs before anything of
    /// the candidate's in that exec, and it saves an exec after every command.</summary>
    private const string KillLeftovers = "kill -9 -1 2>/dev/null; ";

    /// <summary>Start of the shell line of every command and service (<c>$0</c> is its pid file):
    /// it records its pid, and beside it the cgroup's count of memory kills so far, so a kill can
    /// aim at it alone and a memory kill is blamed on the process it happened under.</summary>
    private const string RecordPidAndOomKills = "echo $$ > \"$0\" 2>/dev/null; (" + OomKillsScript + ") > \"$0.oom\" 2>/dev/null; ";

    private readonly IDockerClient _docker;
    private readonly DockerHostSettings _settings;
    private readonly string _gradingId;
    private readonly ConcurrentDictionary<Side, SideContainer> _containers = [];
    private readonly ConcurrentDictionary<Side, IsolationReport> _isolationReports = [];
    private readonly Dictionary<Side, Task<SideContainer>> _creations = [];
    private readonly List<DockerProcess> _processes = [];
    private readonly HashSet<int> _ports = [];
    private readonly DateTimeOffset _expires;

    private DockerHost(IDockerClient docker, DockerHostSettings settings, string gradingId, DateTimeOffset expires)
    {
        _docker = docker;
        _settings = settings;
        _gradingId = gradingId;
        _expires = expires;
    }

    /// <inheritdoc />
    public string Name => "docker";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Isolation =>
        _isolationReports.SelectMany(side => side.Value.Entries(side.Key.ToString().ToLowerInvariant())).ToDictionary();

    /// <summary>Each side's isolation as its container reported it.</summary>
    public IReadOnlyDictionary<Side, IsolationReport> IsolationReports => _isolationReports;

    /// <inheritdoc />
    public string? ImageDigest => _settings.Image.Id;

    /// <inheritdoc />
    public string PostgresBin => "/opt/assessments/postgresql/bin";

    /// <inheritdoc />
    public string BuildCacheScope => _settings.Image.Id.Replace("sha256:", "", StringComparison.Ordinal)[..16];

    /// <inheritdoc />
    public PackageSource? Packages => _settings.Feed is { } feed ? new PackageSource("/etc/assessments/nuget.config", feed.Packages) : null;

    /// <summary>The ids of the containers this host created (also after it removed them).</summary>
    public IReadOnlyList<string> ContainerIds => _containers.Values.Select(c => c.Id).ToList();

    /// <summary>The grading's id, as its containers' names and labels carry it.</summary>
    public string GradingId => _gradingId;

    /// <summary>Creates the grader's container and reads its isolation from inside it, then starts
    /// creating the candidate's in the background (joined to the grader's namespace; it runs nothing
    /// of the candidate's until the plan asks), so that it is ready by the time the grader's
    /// PostgreSQL is. The baseline's follows on first use.</summary>
    /// <param name="expires">When every limit of the grading has certainly passed; the reaper removes what is left after it.</param>
    public static async Task<DockerHost> CreateAsync(IDockerClient docker, DockerHostSettings settings, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var host = new DockerHost(docker, settings, Guid.NewGuid().ToString("N")[..12], expires);
        try
        {
            await host.ContainerAsync(Side.Grader, cancellationToken);
            _ = host.Creation(Side.Candidate);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public string PathOf(Side side, string relative) => $"{Workspace}/{relative}";

    /// <inheritdoc />
    public int AllocatePort()
    {
        // A fresh namespace has nothing listening; random ports keep a candidate from guessing the
        // ones the grader will use later.
        lock (_ports)
        {
            while (true)
            {
                var port = Random.Shared.Next(20000, 60000);
                if (_ports.Add(port))
                {
                    return port;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task PutFilesAsync(Side side, string folder, IEnumerable<PackageFile> files, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(side, cancellationToken);
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in files)
            {
                // Entries carry the side's own uid: nothing arrives owned by anybody else.
                var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Path)
                {
                    Uid = container.Uid,
                    Gid = container.Uid,
                    Mode = file.Executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                    ModificationTime = DateTimeOffset.UnixEpoch.AddYears(30),
                    DataStream = new MemoryStream(file.Content, writable: false),
                };
                await writer.WriteEntryAsync(entry, cancellationToken);
            }
        }

        tar.Position = 0;
        var target = PathOf(side, folder);
        var result = await ExecAsync(container, ["sh", "-c", "mkdir -p \"$1\" && exec tar -x -p -f - -C \"$1\"", "sh", target], null, NoVariables, stdin: tar, cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new GradingInfrastructureException($"files:{side.ToString().ToLowerInvariant()}", $"Writing files into {target} failed (exit {result.ExitCode}): {result.Output}");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PackageFile>> ReadFilesAsync(Side side, string folder, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(side, cancellationToken);
        using var tar = new MemoryStream();
        var result = await ExecAsync(container, ["tar", "-c", "-f", "-", "-C", PathOf(side, folder), "."], null, NoVariables, stdout: tar, stdoutCap: _settings.Limits.ReadBytes, cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new GradingInfrastructureException($"files:{side.ToString().ToLowerInvariant()}", $"Reading {folder} failed (exit {result.ExitCode}): {result.Output}");
        }

        tar.Position = 0;
        var files = new List<PackageFile>();
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
        {
            // Regular files only: a link is never followed, whoever made it.
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            using var content = new MemoryStream();
            await entry.DataStream.CopyToAsync(content, cancellationToken);
            var path = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            files.Add(new PackageFile(path, (entry.Mode & UnixFileMode.UserExecute) != 0, content.ToArray()));
        }

        return files.OrderBy(f => f.Path, Comparer<string>.Create(PackageFiles.CompareOrdinalUtf8)).ToList();
    }

    /// <inheritdoc />
    public async Task<string?> ReadFileAsync(Side side, string path, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(side, cancellationToken);
        using var content = new MemoryStream();
        // A regular file only, never a link, a FIFO or a device a side might have put in its place.
        var result = await ExecAsync(container,
            ["sh", "-c", "[ -f \"$1\" ] && [ ! -L \"$1\" ] || exit 3; exec cat -- \"$1\"", "sh", PathOf(side, path)],
            null, NoVariables, stdout: content, stdoutCap: _settings.Limits.ReadBytes, cancellationToken: cancellationToken);
        return result.ExitCode == 0 ? Encoding.UTF8.GetString(content.GetBuffer(), 0, (int)content.Length) : null;
    }

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(Side side, CommandSpec command, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(side, cancellationToken);
        var started = Stopwatch.StartNew();
        var pidFile = $"{PidFolder}/run-{Guid.NewGuid():N}";
        var argv = new List<string> { "sh", "-c", (KillsLeftoversFirst(side) ? KillLeftovers : "") + RecordPidAndOomKills + "exec \"$@\"", pidFile };
        if (side == Side.Grader && command.Timeout != Timeout.InfiniteTimeSpan)
        {
            // The grader's own processes are stopped by a timer inside its container: its
            // PostgreSQL and fakes must outlive a hidden-test run that hangs.
            argv.AddRange(["timeout", "-k", "5", Seconds(command.Timeout)]);
        }

        argv.Add(command.FileName);
        argv.AddRange(command.Arguments);
        var workingDirectory = command.WorkingDirectory is null ? Workspace : PathOf(side, command.WorkingDirectory);

        // A flood is stopped the moment it passes the allowance: a command that prints in a loop
        // never ends by itself, and it would hold its side and two cores until its wall clock.
        Task? stopFlood = null;
        await using var session = await ExecSession.StartAsync(_docker, container.Id,
            new ExecRequest(argv, container.User, workingDirectory, Environment(container, command.Environment)),
            _settings.Limits.Output, () => stopFlood = StopAsync(container, pidFile, wholeSide: side != Side.Grader), cancellationToken);

        // The candidate's and the baseline's wall clock is kept here, outside their reach: when it
        // passes, the container is killed, whatever they did to their process tree.
        var grace = side == Side.Grader ? TimeSpan.FromSeconds(30) : TimeSpan.Zero;
        var timedOut = false;
        long exitCode;
        try
        {
            exitCode = command.Timeout == Timeout.InfiniteTimeSpan
                ? await session.Completion.WaitAsync(cancellationToken)
                : await session.Completion.WaitAsync(command.Timeout + grace, cancellationToken);
        }
        catch (TimeoutException)
        {
            timedOut = true;
            exitCode = -1;
            await KillContainerAsync(container);
        }

        if (stopFlood is not null)
        {
            await stopFlood;
        }

        if (side == Side.Grader && exitCode == 124)
        {
            timedOut = true;
        }

        var limit = session.Output.Flooded ? LimitHit.OutputLimit
            : exitCode != 0 && await KilledForMemorySinceAsync(container, pidFile, cancellationToken) ? LimitHit.OutOfMemory
            : (LimitHit?)null;
        return new CommandResult((int)exitCode, session.Output.ToString(), session.Output.Truncated, timedOut, started.Elapsed, limit);
    }

    /// <inheritdoc />
    public async Task<IBackgroundProcess> StartAsync(Side side, CommandSpec command, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(side, cancellationToken);
        // The process records its pid (an exec is the leader of its own process group) so it can be
        // stopped alone; a service starts with whatever the side's earlier commands left killed first.
        var pidFile = $"{PidFolder}/{Guid.NewGuid():N}";
        string[] argv = ["sh", "-c", (KillsLeftoversFirst(side) ? KillLeftovers : "") + RecordPidAndOomKills + "exec \"$@\"", pidFile, command.FileName, .. command.Arguments];
        var workingDirectory = command.WorkingDirectory is null ? Workspace : PathOf(side, command.WorkingDirectory);
        DockerProcess? process = null;
        var session = await ExecSession.StartAsync(_docker, container.Id,
            new ExecRequest(argv, container.User, workingDirectory, Environment(container, command.Environment)),
            _settings.Limits.Output,
            () => process?.StopForFlood(),
            cancellationToken,
            longRunning: true);
        process = new DockerProcess(this, container, session, pidFile);
        lock (_processes)
        {
            _processes.Add(process);
        }

        if (session.Output.Flooded)
        {
            // It flooded before it was registered.
            process.StopForFlood();
        }

        return process;
    }

    /// <inheritdoc />
    public async Task<bool> WaitForHttpAsync(string url, TimeSpan timeout, IBackgroundProcess watched, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        if (uri.Host != "127.0.0.1")
        {
            throw new ArgumentException($"Only the shared loopback is reachable from a side: {url}", nameof(url));
        }

        var container = await ContainerAsync(Side.Grader, cancellationToken);
        // One exec that polls inside the grader's container: an exec per attempt costs more than
        // the attempt. bash's /dev/tcp, so the image needs no HTTP client; each attempt is a
        // subshell, so its connection closes with it, and a listener that never answers holds it
        // up for 5 s at most.
        const string script = """
            echo $$ > "$1"
            end=$((SECONDS + $2))
            while [ "$SECONDS" -lt "$end" ]; do
              if ( exec 3<>"/dev/tcp/127.0.0.1/$3" || exit 1
                   printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$4" >&3
                   IFS= read -r -t 5 status <&3 || exit 1
                   case "$status" in "HTTP/1."?" 2"*) exit 0 ;; *) exit 1 ;; esac ) 2>/dev/null; then
                exit 0
              fi
              sleep 0.1
            done
            exit 1
            """;
        var pidFile = $"{PidFolder}/probe-{Guid.NewGuid():N}";
        var seconds = Seconds(timeout);
        await using var session = await ExecSession.StartAsync(_docker, container.Id,
            new ExecRequest(["timeout", "-k", "1", $"{seconds}", "bash", "-c", script, "probe", pidFile, seconds, uri.Port.ToString(CultureInfo.InvariantCulture), uri.PathAndQuery],
                container.User, Workspace, Environment(container, NoVariables)),
            _settings.Limits.Output, null, cancellationToken);

        // The service's exit is seen here, without an exec: the probe stops as soon as it happens.
        while (!session.Completion.IsCompleted && !watched.HasExited)
        {
            await Task.WhenAny(session.Completion, Task.Delay(100, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (session.Completion.IsCompleted)
        {
            return await session.Completion == 0;
        }

        await ExecAsync(container, ["sh", "-c", "kill -9 \"$(cat \"$1\")\" 2>/dev/null; exit 0", "sh", pidFile], null, NoVariables, cancellationToken: cancellationToken);
        return false;
    }

    /// <inheritdoc />
    public string Describe(LimitHit limit)
    {
        var limits = _settings.Limits;
        return limit switch
        {
            LimitHit.OutOfMemory => $"the memory limit of its side ({Size(_settings.ServiceMemoryBytes ?? limits.GraderMemoryBytes / 2)} for a service's side, {Size(limits.GraderMemoryBytes)} for the grader's)",
            LimitHit.OutputLimit => $"the output limit ({Size(limits.OutputBytesPerCommand)} per command; a service {Size(limits.ServiceOutputBytesPerSecond)} more per second it runs)",
            LimitHit.FileSize => $"the file-size limit ({Size(limits.FileSizeBytes)} per file)",
            LimitHit.Processes => $"the process limit ({Math.Min(limits.Pids, _settings.ServiceProcesses ?? limits.Pids)} processes and threads)",
            LimitHit.DiskFull => $"the workspace's size ({Size(SandboxLimits.ServiceTmpfs(_settings.ServiceMemoryBytes ?? limits.GraderMemoryBytes / 2).Workspace)} on a service's side)",
            _ => limit.ToString(),
        };
    }

    private static string Size(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GB" : $"{bytes >> 20} MB";

    /// <summary>Removes the containers: the candidate's and the baseline's first (they live in the
    /// grader's namespace), then the grader's.</summary>
    public async ValueTask DisposeAsync()
    {
        List<DockerProcess> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            await process.Session.DisposeAsync();
        }

        // A container still being created is waited for, so that nothing is left behind.
        Task<SideContainer>[] creations;
        lock (_creations)
        {
            creations = [.. _creations.Values];
        }

        try
        {
            await Task.WhenAll(creations);
        }
        catch (Exception)
        {
            // Each creation's failure went to whoever used that side, or it never mattered.
        }

        await Task.WhenAll(new[] { Side.Candidate, Side.Baseline }
            .Where(_containers.ContainsKey)
            .Select(side => RemoveAsync(_docker, _containers[side].Id)));
        if (_containers.TryGetValue(Side.Grader, out var grader))
        {
            await RemoveAsync(_docker, grader.Id);
        }
    }

    /// <summary>Force-removes a container, ignoring one that is already gone.</summary>
    internal static async Task RemoveAsync(IDockerClient docker, string id)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Removal already in progress.
        }
    }

    private async Task<SideContainer> ContainerAsync(Side side, CancellationToken cancellationToken)
    {
        var container = await Creation(side).WaitAsync(cancellationToken);
        return container.Killed
            ? throw new GradingInfrastructureException(side.ToString().ToLowerInvariant(), $"The {side.ToString().ToLowerInvariant()} container was killed at a limit; nothing more can run in it.")
            : container;
    }

    /// <summary>The side's container, created once; the first caller starts the creation and
    /// everyone shares it, so no caller holds up another side's commands meanwhile.</summary>
    private Task<SideContainer> Creation(Side side)
    {
        lock (_creations)
        {
            if (!_creations.TryGetValue(side, out var creation))
            {
                if (side != Side.Grader && !_creations.ContainsKey(Side.Grader))
                {
                    throw new InvalidOperationException("The grader's container owns the namespace; it is created first.");
                }

                // Not cancelled by any one caller: a creation cut off between the engine's reply and
                // its registration here would leave a container nobody removes until it expires.
                creation = CreateContainerAsync(side, CancellationToken.None);
                _creations[side] = creation;
            }

            return creation;
        }
    }

    private async Task<SideContainer> CreateContainerAsync(Side side, CancellationToken cancellationToken)
    {
        // The others join the grader's namespace, which exists once its container runs.
        var networkMode = side == Side.Grader ? "none" : $"container:{(await Creation(Side.Grader)).Id}";
        var name = side.ToString().ToLowerInvariant();
        var uid = side switch { Side.Grader => 10001, Side.Candidate => 10002, _ => 10003 };
        var limits = _settings.Limits;
        var (memory, pids) = side == Side.Grader
            ? (limits.GraderMemoryBytes, limits.Pids)
            : (_settings.ServiceMemoryBytes ?? limits.GraderMemoryBytes / 2, Math.Min(limits.Pids, _settings.ServiceProcesses ?? limits.Pids));
        var (workspace, tmp) = side == Side.Grader
            ? (limits.GraderWorkspaceBytes, limits.GraderTmpBytes)
            : SandboxLimits.ServiceTmpfs(memory);
        var shm = side == Side.Grader ? limits.GraderShmBytes : 64L << 20;

        var mounts = new List<Mount>();
        if (_settings.Feed is { } feed)
        {
            mounts.Add(new Mount { Type = "volume", Source = feed.Volume, Target = "/nuget", ReadOnly = true });
        }

        var parameters = new CreateContainerParameters
        {
            Name = $"assessments-{_gradingId}-{name}",
            Image = _settings.Image.Id,
            // The process that keeps the container up runs as nobody: the side's own `kill -9 -1`
            // (or a hostile process) cannot reach it, so the container outlives what runs in it.
            User = "65534:65534",
            Cmd = ["sleep", "infinity"],
            WorkingDir = "/",
            Labels = new Dictionary<string, string>
            {
                [SandboxLabels.Sandbox] = "1",
                [SandboxLabels.Grading] = _gradingId,
                [SandboxLabels.Side] = name,
                [SandboxLabels.Expires] = _expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            }.Concat(_settings.Owner?.Labels ?? []).ToDictionary(),
            HostConfig = new HostConfig
            {
                NetworkMode = networkMode,
                ReadonlyRootfs = true,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                Memory = memory,
                // Swap equal to memory: no swap at all, so memory pressure ends in a kill, not in thrashing.
                MemorySwap = memory,
                NanoCPUs = (long)(limits.Cpus * 1e9),
                PidsLimit = pids,
                Ulimits =
                [
                    new Ulimit { Name = "nofile", Soft = limits.OpenFiles, Hard = limits.OpenFiles },
                    new Ulimit { Name = "fsize", Soft = limits.FileSizeBytes, Hard = limits.FileSizeBytes },
                ],
                ShmSize = shm,
                Tmpfs = new Dictionary<string, string>
                {
                    [Workspace] = $"rw,exec,nosuid,nodev,size={workspace},uid={uid},gid={uid},mode=0700",
                    ["/tmp"] = $"rw,exec,nosuid,nodev,size={tmp},mode=1777",
                },
                Mounts = mounts,
                // A real init reaps what the side's processes orphan.
                Init = true,
                LogConfig = new LogConfig { Type = "none" },
            },
        };

        var created = await _docker.Containers.CreateContainerAsync(parameters, cancellationToken);
        var container = new SideContainer(side, created.ID, uid);
        // Registered before it starts, so a failure below still removes it.
        _containers[side] = container;
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);

        // One exec sets the workspace up, probes the isolation and reads the OOM counter to start from.
        var setup = await ExecAsync(container, ["sh", "-c", $"mkdir -p {Home} {PidFolder} && {IsolationReport.ProbeScript}"], null, NoVariables, cancellationToken: cancellationToken);
        if (setup.ExitCode != 0)
        {
            throw new GradingInfrastructureException($"isolation:{name}", $"The {name} container's isolation probe failed (exit {setup.ExitCode}): {setup.Output}");
        }

        var isolation = IsolationReport.Parse(setup.Output);
        _isolationReports[side] = isolation;

        var shortfalls = _settings.Minimum.ShortfallsOf(isolation);
        if (shortfalls.Count > 0)
        {
            container.Killed = true;
            throw new GradingInfrastructureException($"isolation:{name}",
                $"Refused: the {name} container's isolation is below the operator's minimum: {string.Join("; ", shortfalls)}.");
        }

        return container;
    }

    private List<string> Environment(SideContainer container, IReadOnlyDictionary<string, string> variables)
    {
        // The image supplies PATH and the .NET variables; the plan adds its own, nothing else leaks in.
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Home,
            ["DOTNET_CLI_HOME"] = Home,
            ["TMPDIR"] = "/tmp",
            ["NUGET_PACKAGES"] = _settings.Feed is null ? $"{Home}/.nuget/packages" : "/nuget",
        };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }

    private async Task<(long ExitCode, string Output)> ExecAsync(
        SideContainer container, IReadOnlyList<string> command, string? workingDirectory, IReadOnlyDictionary<string, string> variables,
        Stream? stdin = null, Stream? stdout = null, long stdoutCap = long.MaxValue, string? user = null, CancellationToken cancellationToken = default)
    {
        await using var session = await ExecSession.StartAsync(_docker, container.Id,
            new ExecRequest(command, user ?? container.User, workingDirectory, Environment(container, variables), stdin, stdout, stdoutCap),
            _settings.Limits.Output, null, cancellationToken);
        try
        {
            var exit = await session.Completion.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
            return (exit, session.Output.ToString());
        }
        catch (OutputTooLargeException e)
        {
            return (-1, e.Message);
        }
    }

    /// <summary>A service side with no service running: what its earlier commands left is not wanted.</summary>
    private bool KillsLeftoversFirst(Side side) => side != Side.Grader && !BackgroundRunning(side);

    private bool BackgroundRunning(Side side)
    {
        lock (_processes)
        {
            return _processes.Any(p => p.Container.Side == side && !p.HasExited);
        }
    }

    private bool OtherServicesRunning(DockerProcess process)
    {
        lock (_processes)
        {
            return _processes.Any(p => p != process && p.Container.Side == process.Container.Side && !p.HasExited);
        }
    }

    /// <summary>Kills every process of the side's user in its container (the container's init aside):
    /// whatever a build left behind, or a service and all it spawned.</summary>
    private async Task KillSideProcessesAsync(SideContainer container, CancellationToken cancellationToken)
    {
        if (container.Killed)
        {
            return;
        }

        try
        {
            // `kill -9 -1` reaches every process the caller may signal but itself: all of this uid's.
            var result = await ExecAsync(container, ["sh", "-c", "kill -9 -1 2>/dev/null; exit 0"], null, NoVariables, cancellationToken: cancellationToken);
            if (result.ExitCode != 0)
            {
                await KillContainerAsync(container);
            }
        }
        catch (DockerApiException)
        {
            // Too many processes to start even `kill` (a fork bomb): the container goes instead.
            await KillContainerAsync(container);
        }
    }

    private async Task KillContainerAsync(SideContainer container)
    {
        container.Killed = true;
        try
        {
            await _docker.Containers.KillContainerAsync(container.Id, new ContainerKillParameters { Signal = "SIGKILL" }, CancellationToken.None);
        }
        catch (DockerApiException)
        {
            // Already stopped.
        }
    }

    /// <summary>Whether the kernel killed a process of the side for memory since the process
    /// that wrote <paramref name="pidFile"/> started: it wrote the cgroup's count beside its pid, so
    /// a kill during an earlier command is never blamed on this one.</summary>
    private async Task<bool> KilledForMemorySinceAsync(SideContainer container, string pidFile, CancellationToken cancellationToken)
    {
        if (container.Killed)
        {
            var inspect = await _docker.Containers.InspectContainerAsync(container.Id, cancellationToken);
            return inspect.State?.OOMKilled ?? false;
        }

        // OOMKilled is only set when the container's init dies; the cgroup counts every kill.
        var counts = (await ExecAsync(container, ["sh", "-c", $"cat \"$1.oom\" 2>/dev/null || echo 0; {OomKillsScript}", "sh", pidFile], null, NoVariables, cancellationToken: cancellationToken)).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return counts.Length == 2 && OomKills(counts[1]) > OomKills(counts[0]);
    }

    private static long OomKills(string? output) =>
        long.TryParse(output?.Trim(), CultureInfo.InvariantCulture, out var kills) ? kills : 0;

    /// <summary>Kills what a flood or a kill is aimed at: every process of the side (a service side
    /// whose command or last service it is; what it left behind goes with it), or the process
    /// group of the one process (a grader's command, or one of several instances of a service).
    /// Only sends the signal; the caller waits for the process to end if it needs to.</summary>
    private async Task StopAsync(SideContainer container, string pidFile, bool wholeSide)
    {
        if (wholeSide)
        {
            await KillSideProcessesAsync(container, CancellationToken.None);
            return;
        }

        try
        {
            await ExecAsync(container, ["sh", "-c", "p=$(cat \"$1\") && { kill -9 -- \"-$p\" 2>/dev/null || kill -9 \"$p\"; }; exit 0", "sh", pidFile], null, NoVariables);
        }
        catch (DockerApiException)
        {
            await KillContainerAsync(container);
        }
    }

    private static string Seconds(TimeSpan timeout) => Math.Ceiling(timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>One side's container.</summary>
    private sealed class SideContainer(Side side, string id, int uid)
    {
        public Side Side { get; } = side;

        public string Id { get; } = id;

        public int Uid { get; } = uid;

        public string User => $"{Uid}:{Uid}";

        public bool Killed { get; set; }
    }

    private sealed class DockerProcess(DockerHost host, SideContainer container, ExecSession session, string pidFile) : IBackgroundProcess
    {
        private int _flooded;

        public SideContainer Container { get; } = container;

        public ExecSession Session { get; } = session;

        public bool HasExited => Session.Completion.IsCompleted || Container.Killed;

        public string Output => Session.Output.ToString();

        /// <summary>Called from the output's reading loop when it passes the allowance: sends the
        /// kill and returns (the loop ends when the process does).</summary>
        public void StopForFlood()
        {
            if (Interlocked.Exchange(ref _flooded, 1) == 0)
            {
                _ = host.StopAsync(Container, pidFile, WholeSide);
            }
        }

        public async Task<LimitHit?> StoppedByAsync(CancellationToken cancellationToken) =>
            Volatile.Read(ref _flooded) == 1 ? LimitHit.OutputLimit
            : !HasExited ? null
            : await host.KilledForMemorySinceAsync(Container, pidFile, cancellationToken) ? LimitHit.OutOfMemory
            : null;

        public async Task KillAsync(CancellationToken cancellationToken)
        {
            if (HasExited)
            {
                return;
            }

            await host.StopAsync(Container, pidFile, WholeSide);
            try
            {
                await Session.Completion.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new GradingInfrastructureException("kill", $"A {Container.Side.ToString().ToLowerInvariant()} process did not end 10 s after SIGKILL.");
            }
        }

        /// <summary>A service alone on its side is everything the side runs: it and all it spawned
        /// go together. One of several instances goes alone, with its process group; the grader's
        /// processes always go one by one.</summary>
        private bool WholeSide => Container.Side != Side.Grader && !host.OtherServicesRunning(this);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await KillAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is GradingInfrastructureException or DockerApiException or IOException)
            {
                // The container goes with the host.
            }

            await Session.DisposeAsync();
        }
    }
}

/// <summary>What a Docker host needs besides the engine.</summary>
/// <param name="Image">The sandbox image.</param>
/// <param name="Limits">Limits for every container.</param>
/// <param name="Minimum">The least isolation accepted; a side below it is refused.</param>
/// <param name="Feed">The scenario version's offline package feed; null for none.</param>
/// <param name="ServiceMemoryBytes">The scenario's memory limit for the service's sides.</param>
/// <param name="ServiceProcesses">The scenario's process limit for the service's sides.</param>
/// <param name="Owner">The recorded grading attempt the containers work for; null for none.</param>
public sealed record DockerHostSettings(
    SandboxImage Image,
    SandboxLimits Limits,
    IsolationMinimum Minimum,
    OfflineFeed? Feed,
    long? ServiceMemoryBytes = null,
    long? ServiceProcesses = null,
    SandboxOwner? Owner = null);
