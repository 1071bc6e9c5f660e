using Assessments.Runner.Results;
using Assessments.Web.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Features.Grading;

/// <summary>Queues gradings of submissions: a <see cref="GradingRun"/> row, then its Hangfire job
/// on the grading queue (the job reads the row, so the row is committed first).</summary>
public sealed class GradingQueue(AssessmentsDbContext db, IBackgroundJobClient jobs)
{
    /// <summary>Queues a grading of <paramref name="submissionId"/> and returns the run's id.</summary>
    /// <exception cref="KeyNotFoundException">When there is no such submission.</exception>
    public async Task<Guid> EnqueueAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.Include(s => s.Assessment)
            .SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken)
            ?? throw new KeyNotFoundException($"No submission {submissionId}.");
        var run = new GradingRun
        {
            Kind = SubjectKind.Candidate,
            SubmissionId = submission.Id,
            ScenarioVersionId = submission.Assessment!.ScenarioVersionId,
        };
        db.GradingRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);

        run.HangfireJobId = jobs.Enqueue<GradingJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        await db.SaveChangesAsync(cancellationToken);
        return run.Id;
    }
}
