using Hangfire;

namespace Assessments.Web.Features.Grading;

/// <summary>The one way a grading is queued (decision 015): a queued <see cref="GradingRun"/> row,
/// added in the caller's transaction (the push's, for a recorded submission), then its Hangfire job,
/// attached by <see cref="AttachJobsAsync"/> once the row is committed. Both steps are safe to
/// repeat after a crash: a committed run without a job is found again by the next attach.</summary>
public sealed class GradingQueue(AssessmentsDbContext db, IBackgroundJobClient jobs)
{
    private const int Batch = 50;

    /// <summary>Adds a queued grading of <paramref name="submission"/> of a scenario version to
    /// <paramref name="context"/>; the caller saves it, with whatever else belongs in its transaction.</summary>
    public static GradingRun Queue(AssessmentsDbContext context, Submission submission, Guid scenarioVersionId)
    {
        var run = new GradingRun
        {
            Kind = GradingKind.Candidate,
            Submission = submission,
            SubmissionId = submission.Id,
            ScenarioVersionId = scenarioVersionId,
        };
        context.GradingRuns.Add(run);
        return run;
    }

    /// <summary>Queues a grading of <paramref name="submissionId"/> that <paramref name="requestedBy"/>
    /// asked for (<c>assess grading enqueue</c>, an admin's re-grade), audited, and attaches its
    /// job; returns the run's id. Earlier gradings of the submission stay as they are.</summary>
    /// <exception cref="KeyNotFoundException">When there is no such submission.</exception>
    public async Task<Guid> EnqueueAsync(Guid submissionId, string requestedBy, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.Include(s => s.Assessment)
            .SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken)
            ?? throw new KeyNotFoundException($"No submission {submissionId}.");
        var run = Queue(db, submission, submission.Assessment!.ScenarioVersionId);
        run.RequestedBy = requestedBy.Length > 256 ? requestedBy[..256] : requestedBy;
        db.AuditEvents.Add(AuditEvent.About(submission.Assessment, requestedBy, "grading.requested", new { gradingRunId = run.Id, submissionId, submission.CommitSha }));
        await db.SaveChangesAsync(cancellationToken);
        while (await AttachJobsAsync(cancellationToken) > 0)
        {
        }

        return run.Id;
    }

    /// <summary>Gives committed queued runs without a Hangfire job one each, a batch at a time;
    /// returns how many it took. Processes share the work through row locks (<c>FOR UPDATE SKIP
    /// LOCKED</c>), so a run gets one job however many processes attach at once.</summary>
    public async Task<int> AttachJobsAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var queued = nameof(GradingStatus.Queued);
        var runs = await db.GradingRuns
            .FromSql($"SELECT * FROM grading_runs WHERE status = {queued} AND hangfire_job_id IS NULL ORDER BY queued_at LIMIT {Batch} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var run in runs)
        {
            // The run is committed already, so the job finds it even if it starts before this
            // transaction ends; only the job's id waits for the commit.
            run.HangfireJobId = jobs.Enqueue<GradingJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return runs.Count;
    }
}
