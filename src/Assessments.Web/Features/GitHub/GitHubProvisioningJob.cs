using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Submissions;
using Hangfire;

namespace Assessments.Web.Features.GitHub;

/// <summary>Provisions a started assessment's GitHub repository on the worker. Queued through the
/// outbox when the candidate starts; retried by Hangfire with its growing delays when GitHub
/// fails beyond the client's own retries. Each attempt resumes where the last one stopped.</summary>
public sealed class GitHubProvisioningJob(GitHubRepositories repositories)
{
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 8)]
    public Task RunAsync(Guid assessmentId, CancellationToken cancellationToken) =>
        repositories.ProvisionAsync(assessmentId, cancellationToken);
}

/// <summary>The payload of an outbox message of kind <see cref="ProvisioningMessages.Kind"/>,
/// written with the start in one transaction (a grading needs no message: its queued run is written
/// with the push; messages of the former kind "grade-submission" were turned into runs by the
/// migration QueuedRunsInsteadOfGradeMessages).</summary>
public sealed record ProvisionGitHubRepositoryMessage(Guid AssessmentId);

/// <summary>Turns a provisioning message into its job.</summary>
public sealed class ProvisioningMessages : IOutboxHandler
{
    public const string Kind = "provision-github-repository";

    string IOutboxHandler.Kind => Kind;

    public void Handle(OutboxMessage message, IBackgroundJobClient jobs)
    {
        // Provisioning is idempotent, so a second job after a crash here does no harm.
        var provision = UndeliverableMessageException.Read<ProvisionGitHubRepositoryMessage>(message);
        jobs.Enqueue<GitHubProvisioningJob>(job => job.RunAsync(provision.AssessmentId, CancellationToken.None));
    }
}
