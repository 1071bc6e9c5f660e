using Hangfire;
using Npgsql;

namespace Assessments.Web.Features.Verification;

/// <summary>The one way a scenario version's verification is queued ("Verify now", <c>assess
/// scenario verify ID --queue</c>): a queued <see cref="ScenarioVerification"/>, audited, and its
/// job on the workers' grading queue. A version has at most one verification waiting or running;
/// asking again returns that one.</summary>
public sealed class VerificationQueue(AssessmentsDbContext db, IBackgroundJobClient jobs)
{
    /// <summary>The verification asked for; <paramref name="New"/> when this call queued it.</summary>
    public sealed record Queued(ScenarioVerification Verification, bool New);

    /// <summary>Queues a verification of <paramref name="versionId"/>, or returns the one already
    /// waiting or running (given a job if a crash left it without one).</summary>
    /// <exception cref="KeyNotFoundException">When there is no such version.</exception>
    public async Task<Queued> QueueAsync(Guid versionId, string requestedBy, CancellationToken cancellationToken)
    {
        var verification = await OpenAsync(versionId, cancellationToken);
        var isNew = false;
        if (verification is null)
        {
            var version = await db.ScenarioVersions.Include(v => v.Scenario)
                .SingleOrDefaultAsync(v => v.Id == versionId, cancellationToken)
                ?? throw new KeyNotFoundException($"No scenario version {versionId}.");
            verification = new ScenarioVerification
            {
                ScenarioVersionId = versionId,
                RequestedBy = requestedBy.Length > 256 ? requestedBy[..256] : requestedBy,
            };
            db.ScenarioVerifications.Add(verification);
            db.AuditEvents.Add(AuditEvent.About("scenario", version.Scenario!.Slug, version.Scenario.OrganisationId, requestedBy, "scenario.verification-requested",
                new { verificationId = verification.Id, version = version.ContentHash[..12], label = version.Label }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                isNew = true;
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Someone asked at the same moment: theirs is the one.
                db.ChangeTracker.Clear();
                verification = await OpenAsync(versionId, cancellationToken)
                    ?? throw new InvalidOperationException($"A verification of {versionId} was queued and then was gone.", e);
            }
        }

        if (verification.HangfireJobId is null)
        {
            // The row is committed, so the job finds it however soon it starts.
            var id = verification.Id;
            verification.HangfireJobId = jobs.Enqueue<VerificationJob>(job => job.RunAsync(id, CancellationToken.None));
            await db.SaveChangesAsync(cancellationToken);
        }

        return new Queued(verification, isNew);
    }

    private Task<ScenarioVerification?> OpenAsync(Guid versionId, CancellationToken cancellationToken) =>
        db.ScenarioVerifications.SingleOrDefaultAsync(
            v => v.ScenarioVersionId == versionId && (v.Status == ScenarioVerificationStatus.Queued || v.Status == ScenarioVerificationStatus.Running),
            cancellationToken);
}
