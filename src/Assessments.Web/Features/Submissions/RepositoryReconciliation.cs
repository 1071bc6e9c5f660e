using Assessments.Web.Data;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Repositories;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Features.Submissions;

/// <summary>Finds pushes that git accepted but nobody recorded (the web process died between the
/// two, or a webhook never came): each active repository's default-branch head is compared with its
/// submissions, and a head not among them is recorded as a reconciliation submission, outbox
/// message and all. Runs every few minutes on the worker, and before an assessment closes.</summary>
public sealed class RepositoryReconciliation(AssessmentsDbContext db, SubmissionRecorder recorder, IOptions<RepositoryOptions> options, ILogger<RepositoryReconciliation> logger)
{
    /// <summary>The recurring job's id in Hangfire.</summary>
    public const string RecurringJobId = "reconcile-repositories";

    /// <summary>Reconciles every started assessment on the built-in host; returns how many submissions it recorded.</summary>
    [Queue(JobQueues.Default)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var active = await db.Assessments.AsNoTracking()
            .Where(a => a.Status == AssessmentStatus.Started && a.RepositoryHost == RepositoryHost.BuiltIn)
            .Select(a => a.Id)
            .ToListAsync(cancellationToken);
        var recorded = 0;
        foreach (var id in active)
        {
            if (await ReconcileAsync(id, cancellationToken) is not null)
            {
                recorded++;
            }
        }

        return recorded;
    }

    /// <summary>Records the assessment's default-branch head if no submission has it; returns the
    /// new submission, or null when there was nothing to record.</summary>
    public async Task<Submission?> ReconcileAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        var assessment = await db.Assessments.AsNoTracking()
            .Where(a => a.Id == assessmentId)
            .Select(a => new { a.Slug, Organisation = a.Organisation!.Slug })
            .SingleAsync(cancellationToken);
        var settings = options.Value;
        var path = settings.PathOf(assessment.Organisation, assessment.Slug);
        if (!Directory.Exists(path)
            || await BareRepository.HeadAsync(path, settings.DefaultBranch, cancellationToken) is not { } head
            || await BareRepository.IsRootCommitAsync(path, head, cancellationToken)
            || await db.Submissions.AnyAsync(s => s.AssessmentId == assessmentId && s.CommitSha == head, cancellationToken))
        {
            return null;
        }

        var submission = await recorder.RecordAsync(assessmentId, head, settings.DefaultBranch, SubmissionSource.Reconciliation, cancellationToken);
        if (submission is not null)
        {
            logger.LogWarning("Reconciliation recorded commit {CommitSha} of assessment {AssessmentId}: the push was accepted but not recorded", head, assessmentId);
        }

        return submission;
    }
}

/// <summary>Registers the worker's recurring jobs with Hangfire when the worker starts.</summary>
internal sealed class RecurringJobsRegistration(IRecurringJobManager recurringJobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurringJobs.AddOrUpdate<RepositoryReconciliation>(RepositoryReconciliation.RecurringJobId, job => job.RunAsync(CancellationToken.None), "*/2 * * * *");
        recurringJobs.AddOrUpdate<Lifecycle.DeadlineJob>(Lifecycle.DeadlineJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
