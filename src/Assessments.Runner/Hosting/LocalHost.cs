using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Hosting;

/// <summary>Runs every side as processes on this machine, each in its own folder of one scratch
/// directory. For authors verifying scenarios and for tests on a trusted machine only: it has no
/// isolation, so it refuses candidate submissions.</summary>
public sealed class LocalHost : IGradingHost
{
    private readonly string _root;
    private readonly List<LocalProcess> _started = [];
    private readonly HashSet<int> _ports = [];
    private readonly HashSet<Side> _ownedByDatabaseOwner = [];

    private readonly OutputAllowance _output;

    private LocalHost(string root, string postgresBin, OutputAllowance output)
    {
        _root = root;
        PostgresBin = postgresBin;
        _output = output;
    }

    /// <inheritdoc />
    public string Name => "local";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Isolation { get; } = new Dictionary<string, string>
    {
        ["sides"] = "processes of one user on the host; no sandbox (local host, trusted code only)",
        ["network"] = "host network",
    };

    /// <inheritdoc />
    public string? ImageDigest => null;

    /// <inheritdoc />
    public string PostgresBin { get; }

    /// <inheritdoc />
    public string BuildCacheScope => "local";

    /// <inheritdoc />
    public PackageSource? Packages => null;

    /// <summary>The scratch directory; removed on dispose.</summary>
    public string Root => _root;

    /// <summary>Creates a host in a new scratch directory under <paramref name="scratch"/>.</summary>
    /// <exception cref="InvalidOperationException">When asked to grade a candidate submission.</exception>
    /// <param name="output">How much a command or service may print before it is stopped; the sandbox's default when null.</param>
    public static LocalHost Create(string scratch, bool candidateSubmission, OutputAllowance? output = null)
    {
        if (candidateSubmission)
        {
            throw new InvalidOperationException(
                "The local host runs trusted code only (authors' scenarios, tests); candidate submissions are graded in the Docker sandbox.");
        }

        var postgresBin = FindPostgresBin();
        var root = Path.Combine(scratch, $"grading-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        // The database owner (postgres, when running as root) must reach the grader's folder.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return new LocalHost(root, postgresBin, output ?? OutputAllowance.Default);
    }

    /// <summary>The newest <c>/usr/lib/postgresql/*/bin</c> on this machine.</summary>
    private static string FindPostgresBin()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("No PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian's postgresql package.");
    }

    /// <inheritdoc />
    public async Task<bool> WaitForHttpAsync(string url, TimeSpan timeout, IBackgroundProcess watched, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !watched.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }

    /// <inheritdoc />
    public string Describe(LimitHit limit) => limit switch
    {
        LimitHit.OutputLimit => $"the output limit ({_output.BurstBytes >> 20} MB per command; a service {_output.BytesPerSecond >> 20} MB more per second it runs)",
        // The local host sets no other limit: these come from the machine's own.
        _ => $"this machine's {limit switch { LimitHit.OutOfMemory => "memory", LimitHit.FileSize => "file-size limit", LimitHit.Processes => "process limit", _ => "disk" }}",
    };

    /// <summary>A side's workspace folder.</summary>
    public string SidePath(Side side) => Path.Combine(_root, side.ToString().ToLowerInvariant());

    /// <inheritdoc />
    public string PathOf(Side side, string relative) => Path.Combine(SidePath(side), relative);

    /// <inheritdoc />
    public int AllocatePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (_ports)
            {
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
        var target = Path.Combine(SidePath(side), folder);
        foreach (var file in files)
        {
            var path = Path.Combine(target, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
            if (file.Executable)
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PackageFile>> ReadFilesAsync(Side side, string folder, CancellationToken cancellationToken)
    {
        var root = Path.Combine(SidePath(side), folder);
        var (files, errors) = PackageFiles.Read(root, folder);
        return errors.Count == 0
            ? Task.FromResult(files)
            : throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <inheritdoc />
    public async Task<string?> ReadFileAsync(Side side, string path, CancellationToken cancellationToken)
    {
        var full = Path.Combine(SidePath(side), path);
        return File.Exists(full) ? await File.ReadAllTextAsync(full, cancellationToken) : null;
    }

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(Side side, CommandSpec command, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await using var process = LocalProcess.Start(Prepare(side, command), _output, longRunning: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(command.Timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            await process.KillAsync(CancellationToken.None);
        }

        return new CommandResult(timedOut ? -1 : process.ExitCode, process.Output, process.OutputTruncated, timedOut, started.Elapsed,
            process.Flooded ? LimitHit.OutputLimit : null);
    }

    /// <inheritdoc />
    public Task<IBackgroundProcess> StartAsync(Side side, CommandSpec command, CancellationToken cancellationToken)
    {
        var process = LocalProcess.Start(Prepare(side, command), _output, longRunning: true);
        lock (_started)
        {
            _started.Add(process);
        }

        return Task.FromResult<IBackgroundProcess>(process);
    }

    private ProcessStartInfo Prepare(Side side, CommandSpec command)
    {
        var workspace = SidePath(side);
        Directory.CreateDirectory(workspace);
        var runAsOwner = command.AsDatabaseOwner && Environment.UserName == "root";
        if (runAsOwner && _ownedByDatabaseOwner.Add(side))
        {
            // PostgreSQL refuses to run as root: its user must be able to create its data folder here.
            using var chown = Process.Start("chown", ["postgres", workspace]);
            chown.WaitForExit();
        }

        var info = new ProcessStartInfo(runAsOwner ? "runuser" : command.FileName)
        {
            WorkingDirectory = command.WorkingDirectory is null ? workspace : Path.Combine(workspace, command.WorkingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (runAsOwner)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", command.FileName })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in command.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        // A clean environment: only what every process needs and what the plan sets.
        info.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "NUGET_PACKAGES", "LANG", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in command.Environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<LocalProcess> started;
        lock (_started)
        {
            started = [.. _started];
        }

        foreach (var process in started)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process of the database owner may still be letting go of a file; the scratch
            // folder is under the system's temporary space and is cleaned with it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class LocalProcess : IBackgroundProcess
    {
        private readonly Process _process;
        private readonly OutputBuffer _output;
        private int _flooded;

        private LocalProcess(Process process, OutputBuffer output)
        {
            _process = process;
            _output = output;
        }

        public static LocalProcess Start(ProcessStartInfo info, OutputAllowance allowance, bool longRunning)
        {
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var local = new LocalProcess(process, new OutputBuffer(allowance, longRunning));
            process.OutputDataReceived += (_, e) => local.Append(e.Data);
            process.ErrorDataReceived += (_, e) => local.Append(e.Data);
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return local;
        }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string Output => _output.ToString();

        public bool OutputTruncated => _output.Truncated;

        /// <summary>Killed for printing past its allowance.</summary>
        public bool Flooded => Volatile.Read(ref _flooded) == 1;

        public Task<LimitHit?> StoppedByAsync(CancellationToken cancellationToken) =>
            Task.FromResult<LimitHit?>(Flooded ? LimitHit.OutputLimit : null);

        private void Append(string? line)
        {
            _output.Append(line);
            if (_output.Flooded && Interlocked.Exchange(ref _flooded, 1) == 0)
            {
                // Stopped at once, as in the sandbox: a print loop never ends by itself.
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }
            }
        }

        public async Task WaitForExitAsync(CancellationToken cancellationToken)
        {
            await _process.WaitForExitAsync(cancellationToken);
            // Drain the redirected streams before reading the output.
            _process.WaitForExit();
        }

        public async Task KillAsync(CancellationToken cancellationToken)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await KillAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }

            _process.Dispose();
        }
    }
}
