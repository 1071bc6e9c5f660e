using Assessments.Runner.Sandbox;

namespace Assessments.Web.Features.Sandbox;

/// <summary>In the worker role: probes the sandbox's isolation once at start, then reaps at start
/// and every <see cref="SandboxOptions.ReapInterval"/> the containers that expired or whose
/// grading is no longer running that attempt, so a worker that crashed mid-grading leaves nothing
/// behind for long.</summary>
internal sealed class SandboxReaperService(
    SandboxRuntime sandbox,
    IServiceScopeFactory scopes,
    IOptions<SandboxOptions> options,
    TimeProvider time,
    ILogger<SandboxReaperService> logger) : BackgroundService
{
    /// <summary>One pass: what it removed is logged as a warning (something died to leave it).</summary>
    public static async Task ReapAsync(SandboxRuntime sandbox, AssessmentsDbContext db, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var reaped = await new SandboxReaper(sandbox.Docker, time)
            .ReapAsync(everything: false, (owners, ct) => LiveGradings.AmongAsync(db, owners, ct), cancellationToken);
        if (reaped.Containers.Count + reaped.Volumes.Count > 0)
        {
            logger.LogWarning("Reaped {Containers} abandoned sandbox container(s) and {Volumes} volume(s): {Names}",
                reaped.Containers.Count, reaped.Volumes.Count, string.Join(", ", reaped.Containers.Concat(reaped.Volumes)));
        }
    }

    /// <summary>Removes the cache's staging folders that a worker killed mid-write left, once they
    /// are older than <see cref="StagingAge"/>.</summary>
    public static void RemoveAbandonedStaging(string cacheFolder, TimeProvider time, ILogger logger)
    {
        var removed = CacheStaging.RemoveAbandoned(cacheFolder, time.GetUtcNow() - StagingAge);
        if (removed.Count > 0)
        {
            logger.LogWarning("Removed {Count} half-written cache folder(s) of dead workers: {Folders}", removed.Count, string.Join(", ", removed));
        }
    }

    /// <summary>Far older than a write still under way: a feed's restore takes minutes, a build's store seconds.</summary>
    public static readonly TimeSpan StagingAge = TimeSpan.FromHours(6);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Warm the isolation probe, so the first readiness check finds it done.
            await sandbox.IsolationAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("The sandbox's isolation could not be probed: {Reason}", e.GetBaseException().Message);
        }

        using var timer = new PeriodicTimer(options.Value.ReapInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await ReapAsync(sandbox, scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>(), time, logger, stoppingToken);
                RemoveAbandonedStaging(options.Value.CacheFolder, time, logger);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The engine or the database may be down; readiness says so. Try again at the next tick.
                logger.LogWarning(e, "Reaping the sandbox failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
