using Assessments.Runner.Submissions;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Features.GitHub;

/// <summary>Candidates' repositories on GitHub, through its API: the tarball of a commit for
/// grading, the default branch's head for reconciliation.</summary>
public sealed class GitHubCandidateRepositories(GitHubRepositories github, IOptions<GitHubOptions> options) : ICandidateRepositories
{
    public RepositoryHost Host => RepositoryHost.GitHub;

    public bool IsAvailable => options.Value.IsConfigured;

    public Task<CandidateTree> ReadTreeAsync(CandidateRepository repository, string commit, TreeLimits limits, CancellationToken cancellationToken) =>
        repository.ExternalRepositoryId is { } id
            ? github.ReadTreeAsync(id, commit, limits, cancellationToken)
            : throw new CandidateTreeException($"Assessment {repository.AssessmentId}'s GitHub repository was never provisioned.");

    public async Task<PushedHead?> PushedHeadAsync(CandidateRepository repository, CancellationToken cancellationToken) =>
        repository.ExternalRepositoryId is { } id && await github.HeadAsync(id) is { IsRootCommit: false } head
            ? new PushedHead(head.CommitSha, head.Branch)
            : null;

    public async Task<string?> CommitMessageAsync(CandidateRepository repository, string commit, CancellationToken cancellationToken) =>
        repository.ExternalRepositoryId is { } id ? await github.CommitMessageAsync(id, commit) : null;
}
