using Assessments.Web.Features.Jobs;
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
