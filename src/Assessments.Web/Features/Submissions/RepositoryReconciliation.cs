using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Git;
using Hangfire;

namespace Assessments.Web.Features.Submissions;

/// <summary>Finds pushes that git accepted but nobody recorded (the web process died between the
/// two, a webhook never came: GitHub does not retry a failed delivery): each active repository's
/// default-branch head is compared with its submissions, and a head not among them is recorded as
/// a reconciliation submission, outbox message and all. The built-in host's repositories are read
/// on disk, GitHub's through its API. Runs every few minutes on the worker, and before an
/// assessment closes.</summary>
public sealed class RepositoryReconciliation(
    AssessmentsDbContext db,
    SubmissionRecorder recorder,
    IEnumerable<ICandidateRepositories> repositories,
    ILogger<RepositoryReconciliation> logger)
{
    /// <summary>The recurring jobs' ids in Hangfire: built-in repositories are read on disk every
    /// two minutes; GitHub's cost three API calls each, so every ten minutes (18 calls an hour per
    /// active repository, against GitHub's 5,000 an hour per token), with webhooks doing the
    /// real-time work and the close reconciling once more.</summary>
    public const string RecurringJobId = "reconcile-repositories";

    public const string GitHubRecurringJobId = "reconcile-github-repositories";

    /// <summary>Reconciles every started assessment on <paramref name="host"/> whose repository
    /// exists; returns how many submissions it recorded. One repository failing (GitHub down) does
    /// not stop the others.</summary>
    [Queue(JobQueues.Default)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(RepositoryHost host, CancellationToken cancellationToken)
    {
        // A host this installation does not use (GitHub without a token) has nothing to reconcile.
        if (repositories.FirstOrDefault(r => r.Host == host) is not { IsAvailable: true })
        {
            return 0;
        }

        var active = await db.Assessments.AsNoTracking()
            .Where(a => a.Status == AssessmentStatus.Started && a.RepositoryHost == host
                && (host == RepositoryHost.BuiltIn || a.ExternalRepositoryId != null))
            .Select(a => a.Id)
            .ToListAsync(cancellationToken);
        var recorded = 0;
        foreach (var id in active)
        {
            try
            {
                if (await ReconcileAsync(id, cancellationToken) is not null)
                {
                    recorded++;
                }
            }
            catch (Exception e) when (e is Octokit.ApiException or HttpRequestException)
            {
                logger.LogWarning(e, "Reconciling assessment {AssessmentId} failed; it is tried again next time", id);
            }
        }

        return recorded;
    }

    /// <summary>Records the assessment's default-branch head if no submission has it; returns the
    /// new submission, or null when there was nothing to record.</summary>
    public async Task<Submission?> ReconcileAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        var repository = await db.Assessments.AsNoTracking()
            .Where(a => a.Id == assessmentId)
            .Select(a => new CandidateRepository(a.Id, a.Organisation!.Slug, a.Slug, a.RepositoryHost, a.ExternalRepositoryId))
            .SingleAsync(cancellationToken);
        var head = await repositories.For(repository.Host).PushedHeadAsync(repository, cancellationToken);
        if (head is null || await db.Submissions.AnyAsync(s => s.AssessmentId == assessmentId && s.CommitSha == head.CommitSha, cancellationToken))
        {
            return null;
        }

        var submission = await recorder.RecordAsync(assessmentId, head.CommitSha, head.Branch, SubmissionSource.Reconciliation, cancellationToken);
        if (submission is not null)
        {
            logger.LogWarning("Reconciliation recorded commit {CommitSha} of assessment {AssessmentId}: the push was accepted but not recorded", head.CommitSha, assessmentId);
        }

        return submission;
    }
}
