using System.Security.Cryptography;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.DataProtection;

namespace Assessments.Web.Features.Jobs;

/// <summary>An operator's end-to-end check of the job pipeline: a probe row is written, a job is
/// enqueued on the named queue, and whichever worker runs it records its host and process and
/// whether it could open a payload this process protected (the Data Protection keys are shared).</summary>
public sealed class WorkerProbes(AssessmentsDbContext db, IBackgroundJobClient jobs, IDataProtectionProvider dataProtection)
{
    internal const string Purpose = "Assessments.WorkerProbe";

    public async Task<WorkerProbe> RequestAsync(string queue, CancellationToken cancellationToken)
    {
        if (!JobQueues.All.Contains(queue))
        {
            throw new ArgumentException($"Unknown queue '{queue}'; queues are {string.Join(", ", JobQueues.All)}.", nameof(queue));
        }

        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var probe = new WorkerProbe
        {
            Queue = queue,
            RequestedByHost = Environment.MachineName,
            RequestedByProcessId = Environment.ProcessId,
            Challenge = challenge,
            ProtectedChallenge = dataProtection.CreateProtector(Purpose).Protect(challenge),
        };
        db.WorkerProbes.Add(probe);
        await db.SaveChangesAsync(cancellationToken);

        // The job reads the row, so it is enqueued only after the row is committed.
        jobs.Create<WorkerProbeJob>(job => job.RunAsync(probe.Id, CancellationToken.None), new EnqueuedState(queue));
        return probe;
    }

    public Task<WorkerProbe?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.WorkerProbes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
}

/// <summary>Completes a <see cref="WorkerProbe"/>. Safe to run twice: the first completion stays.</summary>
public sealed class WorkerProbeJob(AssessmentsDbContext db, IDataProtectionProvider dataProtection, ILogger<WorkerProbeJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(Guid probeId, CancellationToken cancellationToken)
    {
        var probe = await db.WorkerProbes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == probeId, cancellationToken);
        if (probe is null || probe.CompletedAt is not null)
        {
            return;
        }

        bool shared;
        string? error = null;
        try
        {
            shared = dataProtection.CreateProtector(WorkerProbes.Purpose).Unprotect(probe.ProtectedChallenge) == probe.Challenge;
        }
        catch (CryptographicException e)
        {
            // The expected failure when this worker has its own key ring: record it for the operator.
            shared = false;
            error = e.Message;
        }

        await db.WorkerProbes
            .Where(p => p.Id == probeId && p.CompletedAt == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.CompletedAt, DateTimeOffset.UtcNow)
                .SetProperty(p => p.CompletedByHost, Environment.MachineName)
                .SetProperty(p => p.CompletedByProcessId, Environment.ProcessId)
                .SetProperty(p => p.DataProtectionShared, shared)
                .SetProperty(p => p.DataProtectionError, error),
                cancellationToken);
        logger.LogInformation("Worker probe {ProbeId} completed by {Host}:{ProcessId}; data protection shared: {Shared}", probeId, Environment.MachineName, Environment.ProcessId, shared);
    }
}
