using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;
using Docker.DotNet;

namespace Assessments.Web.Features.Sandbox;

/// <summary>The worker's Docker sandbox: one engine client, the image for this machine's inputs,
/// the offline feeds and the host factory every grading uses, and the isolation the containers
/// actually get, probed from inside them.</summary>
public sealed class SandboxRuntime(IOptions<SandboxOptions> options, TimeProvider time, ILogger<SandboxRuntime> logger) : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan IsolationProbeLifetime = TimeSpan.FromMinutes(10);

    private readonly Lazy<DockerClient> _docker = new(() => new DockerClientBuilder()
        .WithEndpoint(new Uri(options.Value.DockerEndpoint))
        .WithTimeout(TimeSpan.FromMinutes(10))
        .Build());

    private readonly Lock _probeLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task<IsolationProbe>? _probe;

    /// <summary>The engine client.</summary>
    public IDockerClient Docker => _docker.Value;

    /// <summary>The image gradings run in: the one <c>Sandbox:Image</c> names, or the one built
    /// for this machine's inputs.</summary>
    /// <exception cref="SandboxUnavailableException">When it is not on the engine.</exception>
    public async Task<SandboxImage> ImageAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await FindImageAsync(cancellationToken);
        }
        catch (Exception e) when (e is not SandboxUnavailableException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw new SandboxUnavailableException($"The Docker engine at {options.Value.DockerEndpoint} (Sandbox:DockerEndpoint) did not answer: {e.GetBaseException().Message}");
        }
    }

    private async Task<SandboxImage> FindImageAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Image is { Length: > 0 } name)
        {
            try
            {
                var inspect = await Docker.Images.InspectImageAsync(name, cancellationToken);
                return new SandboxImage(name, inspect.ID, inspect.Config?.Labels?.TryGetValue(SandboxImageBuilder.InputsLabel, out var hash) == true ? hash : "");
            }
            catch (DockerImageNotFoundException)
            {
                throw new SandboxUnavailableException($"The sandbox image {name} (Sandbox:Image) is not on the engine at {options.Value.DockerEndpoint}.");
            }
        }

        var builder = new SandboxImageBuilder(Docker, new SandboxImageOptions(), message => logger.LogInformation("{Message}", message));
        return await builder.FindAsync(cancellationToken)
            ?? throw new SandboxUnavailableException($"The sandbox image {builder.Tag} is not built on the engine at {options.Value.DockerEndpoint}: run assess sandbox build-image (scripts/start does).");
    }

    /// <summary>A host factory for gradings in the sandbox.</summary>
    public Task<IGradingHostFactory> HostsAsync(CancellationToken cancellationToken) => HostsAsync(owner: null, cancellationToken);

    /// <summary>A host factory whose containers carry <paramref name="owner"/>'s labels, so that a
    /// later attempt or the reaper can tell when they are abandoned.</summary>
    public async Task<IGradingHostFactory> HostsAsync(SandboxOwner? owner, CancellationToken cancellationToken)
    {
        var image = await ImageAsync(cancellationToken);
        var sandbox = options.Value;
        var feeds = new OfflineFeeds(Docker, image, sandbox.CacheFolder, message => logger.LogInformation("{Message}", message));
        return new DockerHostFactory(Docker, image, feeds, sandbox.Limits, sandbox.Minimum, owner);
    }

    /// <summary>One reaper pass on the engine: expired containers and those of attempts
    /// <paramref name="db"/> says are no longer running (decision 025). What it removed is logged
    /// as a warning: something died to leave it.</summary>
    public async Task ReapAbandonedAsync(AssessmentsDbContext db, CancellationToken cancellationToken)
    {
        var reaped = await new SandboxReaper(Docker, time)
            .ReapAsync(everything: false, (owners, ct) => LiveGradings.AmongAsync(db, owners, ct), cancellationToken);
        if (reaped.Containers.Count + reaped.Volumes.Count > 0)
        {
            logger.LogWarning("Reaped {Containers} abandoned sandbox container(s) and {Volumes} volume(s): {Names}",
                reaped.Containers.Count, reaped.Volumes.Count, string.Join(", ", reaped.Containers.Concat(reaped.Volumes)));
        }
    }

    /// <summary>The isolation a grader and a candidate container get here, read from inside them,
    /// and every way it falls short of the operator's minimum. Probed at most every ten minutes,
    /// in the background: a caller that gives up (a readiness check with a short timeout) does not
    /// cancel the probe, so the next caller finds it done.</summary>
    public async Task<(IReadOnlyDictionary<string, string> Isolation, IReadOnlyList<string> Shortfalls)> IsolationAsync(CancellationToken cancellationToken)
    {
        Task<IsolationProbe> probe;
        lock (_probeLock)
        {
            if (_probe is null || (_probe.IsCompleted && (_probe.IsFaulted || time.GetUtcNow() - _probe.Result.At >= IsolationProbeLifetime)))
            {
                _probe = Task.Run(ProbeAsync, CancellationToken.None);
            }

            probe = _probe;
        }

        var result = await probe.WaitAsync(cancellationToken);
        return (result.Isolation, result.Shortfalls);
    }

    private async Task<IsolationProbe> ProbeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var image = await ImageAsync(timeout.Token);
        var sandbox = options.Value;
        // Probing must not be refused by the minimum it reports on.
        var settings = new DockerHostSettings(image, sandbox.Limits, new IsolationMinimum
        {
            LoopbackOnly = false, NonRoot = false, NoCapabilities = false, NoNewPrivileges = false,
            Seccomp = false, ReadOnlyRoot = false, MemoryLimit = false, PidsLimit = false,
        }, null);
        await using var host = await DockerHost.CreateAsync(Docker, settings, time.GetUtcNow().AddMinutes(5), timeout.Token);
        await host.RunAsync(Side.Candidate, new CommandSpec("true", [], null, new Dictionary<string, string>(), TimeSpan.FromSeconds(30)), timeout.Token);
        var shortfalls = host.IsolationReports
            .SelectMany(side => sandbox.Minimum.ShortfallsOf(side.Value).Select(s => $"{side.Key.ToString().ToLowerInvariant()}: {s}"))
            .ToList();
        return new IsolationProbe(time.GetUtcNow(), new Dictionary<string, string>(host.Isolation), shortfalls);
    }

    private sealed record IsolationProbe(DateTimeOffset At, IReadOnlyDictionary<string, string> Isolation, IReadOnlyList<string> Shortfalls);

    /// <summary>Stops a probe still running and waits for it to remove its containers, so a
    /// worker that shuts down mid-probe leaves nothing for the reaper.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_probe is { } probe)
        {
            try
            {
                await probe.WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception e) when (IsProbeFailure(e))
            {
                // Cancelled or failed: either way its host was disposed, or the reaper will see to it.
            }
        }

        DisposeClient();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _probe?.Wait(TimeSpan.FromSeconds(15));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(IsProbeFailure))
        {
            // As above.
        }

        DisposeClient();
    }

    private static bool IsProbeFailure(Exception e) =>
        e is OperationCanceledException or TimeoutException or DockerApiException or HttpRequestException or IOException
            or Runner.Execution.GradingInfrastructureException or SandboxUnavailableException;

    private void DisposeClient()
    {
        if (_docker.IsValueCreated)
        {
            _docker.Value.Dispose();
        }

        _stopping.Dispose();
    }
}

/// <summary>The sandbox cannot grade here; the message says what is missing.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);
