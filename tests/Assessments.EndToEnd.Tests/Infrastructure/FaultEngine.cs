using System.Diagnostics;
using Assessments.Runner.Sandbox;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A Docker engine of the fault tests' own: a second <c>dockerd</c> with its own socket,
/// data root and exec root, holding a copy of the suite's sandbox image (<c>docker save | docker
/// load</c>, about 25 s for the 1 GB image). A fault test may kill or restart it, or fill what it
/// grades into, without disturbing the gradings of the rest of the suite on the shared engine.
/// The tests that use it run one after another (one class), each against its own PostgreSQL
/// cluster; the engine is started afresh by a test that needs it clean.</summary>
public sealed class FaultEngine : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? "/var/tmp", $"fault-engine-{Guid.NewGuid():N}"[..26]);
    private Process? _dockerd;
    private StreamWriter? _log;

    private string Socket => Path.Combine(_folder, "docker.sock");

    /// <summary>The engine's address, for <c>Sandbox__DockerEndpoint</c>.</summary>
    public string Endpoint => $"unix://{Socket}";

    /// <summary>A cache folder the tests share, so only the first grading restores the feed.</summary>
    public string CacheFolder => Path.Combine(_folder, "cache");

    /// <summary>The dockerd's log so far, for a failure's message.</summary>
    public string Log
    {
        get
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }
    }

    private string LogFile => Path.Combine(_folder, "dockerd.log");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await StartAsync(CancellationToken.None);
        using var shared = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var image = await new SandboxImageBuilder(shared, new SandboxImageOptions(), _ => { }).FindAsync(CancellationToken.None);
        Assert.True(image is not null, "The sandbox image is not built: run scripts/build-assess && ./assess sandbox build-image (scripts/test does).");
        await ShellAsync($"docker save '{image.Tag}' | docker -H '{Endpoint}' load >/dev/null", TimeSpan.FromMinutes(5));
    }

    /// <summary>A client of this engine.</summary>
    public DockerClient Client() => new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();

    /// <summary>Starts the engine (again) and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Assert.True(_dockerd is null || _dockerd.HasExited, "The fault engine is running already.");
        var info = new ProcessStartInfo("dockerd")
        {
            ArgumentList =
            {
                "--bridge=none", "--iptables=false", "--ip6tables=false",
                "--data-root", Path.Combine(_folder, "data"),
                "--exec-root", Path.Combine(_folder, "exec"),
                "--pidfile", Path.Combine(_folder, "dockerd.pid"),
                "-H", Endpoint,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _dockerd = Process.Start(info)!;
        _log ??= new StreamWriter(new FileStream(LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        _ = CopyAsync(_dockerd.StandardError, _log);
        _ = CopyAsync(_dockerd.StandardOutput, _log);
        var waited = Stopwatch.StartNew();
        using var client = Client();
        while (true)
        {
            try
            {
                await client.System.PingAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException or TimeoutException)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1) && !_dockerd.HasExited, $"The fault engine did not answer within a minute:\n{Log}");
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    /// <summary>Stops the engine as an operator's restart does (SIGTERM: it stops its containers
    /// and exits); every exec and stream a worker holds on it breaks.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_dockerd is { HasExited: false } dockerd)
        {
            await ShellAsync($"kill -TERM {dockerd.Id}", TimeSpan.FromSeconds(10));
            await dockerd.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        }
    }

    /// <summary>Every sandbox container on the engine, stopped ones included, with its labels.</summary>
    public async Task<IList<ContainerListResponse>> SandboxContainersAsync(CancellationToken cancellationToken)
    {
        using var client = Client();
        return await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [SandboxLabels.Sandbox] = true } },
        }, cancellationToken);
    }

    /// <summary>Every volume on the engine that is not a cache (an offline feed).</summary>
    public async Task<IReadOnlyList<string>> VolumesOtherThanCachesAsync(CancellationToken cancellationToken)
    {
        using var client = Client();
        var volumes = await client.Volumes.ListAsync(cancellationToken);
        return [.. (volumes.Volumes ?? []).Where(v => v.Labels?.ContainsKey(SandboxLabels.Cache) != true).Select(v => v.Name)];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        // A clean stop unmounts its layers; an unclean one may leave mounts under the data root.
        await ShellAsync($"grep -o ' {_folder}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; rm -rf '{_folder}'", TimeSpan.FromMinutes(2));
        _log?.Dispose();
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
                to.Flush();
            }
        }
    }

    /// <summary>Runs a shell line as root (the suite runs as root: dockerd, mounts).</summary>
    public static async Task ShellAsync(string script, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var cts = new CancellationTokenSource(timeout);
        var error = process.StandardError.ReadToEndAsync(cts.Token);
        await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{script}: exit {process.ExitCode}: {await error}");
    }
}
