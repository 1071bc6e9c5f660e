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
    /// <summary>Far older than a write still under way: a feed's restore takes minutes, a build's store seconds.</summary>
    private static readonly TimeSpan StagingAge = TimeSpan.FromHours(6);

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
                await sandbox.ReapAbandonedAsync(scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>(), stoppingToken);
                RemoveAbandonedStaging();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The engine or the database may be down; readiness says so. Try again at the next tick.
                logger.LogWarning(e, "Reaping the sandbox failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Removes the cache's staging folders that a worker killed mid-write left, once they
    /// are older than <see cref="StagingAge"/>.</summary>
    private void RemoveAbandonedStaging()
    {
        var removed = CacheStaging.RemoveAbandoned(options.Value.CacheFolder, time.GetUtcNow() - StagingAge);
        if (removed.Count > 0)
        {
            logger.LogWarning("Removed {Count} half-written cache folder(s) of dead workers: {Folders}", removed.Count, string.Join(", ", removed));
        }
    }
}
