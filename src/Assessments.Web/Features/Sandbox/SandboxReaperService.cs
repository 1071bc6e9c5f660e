using Assessments.Runner.Sandbox;

namespace Assessments.Web.Features.Sandbox;

/// <summary>In the worker role: probes the sandbox's isolation once at start, then reaps its
/// expired containers at start and every ten minutes, so a worker that crashed mid-grading leaves
/// nothing behind for long.</summary>
internal sealed class SandboxReaperService(SandboxRuntime sandbox, TimeProvider time, ILogger<SandboxReaperService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

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

        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var reaped = await new SandboxReaper(sandbox.Docker, time).ReapAsync(everything: false, stoppingToken);
                if (reaped.Containers.Count + reaped.Volumes.Count > 0)
                {
                    logger.LogWarning("Reaped {Containers} abandoned sandbox container(s) and {Volumes} volume(s): {Names}",
                        reaped.Containers.Count, reaped.Volumes.Count, string.Join(", ", reaped.Containers.Concat(reaped.Volumes)));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The engine may be down; readiness says so. Try again at the next tick.
                logger.LogWarning(e, "Reaping the sandbox failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
