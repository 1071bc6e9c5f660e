using Assessments.Runner.Submissions;

namespace Assessments.Web.Features.Git;

/// <summary>An assessment's repository, as grading and reconciliation name it.</summary>
public sealed record CandidateRepository(Guid AssessmentId, string Organisation, string Slug, RepositoryHost Host, long? ExternalRepositoryId);

/// <summary>The head of a repository's default branch that a candidate pushed (never the
/// template's root commit, which nobody pushed).</summary>
public sealed record PushedHead(string CommitSha, string Branch);

/// <summary>Where candidates' repositories live, one implementation per <see cref="RepositoryHost"/>:
/// the built-in host's bare repositories here, GitHub's in its feature. Grading reads a commit's
/// tree through it and reconciliation the pushed head, without knowing which host holds them, so
/// neither depends on the GitHub feature (decision 015).</summary>
public interface ICandidateRepositories
{
    /// <summary>The host these repositories are on.</summary>
    RepositoryHost Host { get; }

    /// <summary>False when the host is not set up in this installation (GitHub without a token):
    /// reconciliation skips it.</summary>
    bool IsAvailable { get; }

    /// <summary>The files of <paramref name="commit"/>, within <paramref name="limits"/>.</summary>
    /// <exception cref="CandidateTreeException">When the commit is missing or the tree passes a limit.</exception>
    Task<CandidateTree> ReadTreeAsync(CandidateRepository repository, string commit, TreeLimits limits, CancellationToken cancellationToken);

    /// <summary>The default branch's head when a candidate pushed it; null when there is nothing
    /// pushed (no repository yet, only the template's commit, no such branch).</summary>
    Task<PushedHead?> PushedHeadAsync(CandidateRepository repository, CancellationToken cancellationToken);

    /// <summary>The message of <paramref name="commit"/>; null when the commit is not there.</summary>
    Task<string?> CommitMessageAsync(CandidateRepository repository, string commit, CancellationToken cancellationToken);
}

public static class CandidateRepositoriesExtensions
{
    /// <summary>The implementation for <paramref name="host"/>; a clear error when this process
    /// was composed without it.</summary>
    public static ICandidateRepositories For(this IEnumerable<ICandidateRepositories> repositories, RepositoryHost host) =>
        repositories.FirstOrDefault(r => r.Host == host)
        ?? throw new InvalidOperationException($"No repositories of host {host} are registered in this process.");
}

/// <summary>The built-in git host's bare repositories, read on disk.</summary>
public sealed class BuiltInRepositories(IOptions<RepositoryOptions> options) : ICandidateRepositories
{
    public RepositoryHost Host => RepositoryHost.BuiltIn;

    public bool IsAvailable => true;

    public Task<CandidateTree> ReadTreeAsync(CandidateRepository repository, string commit, TreeLimits limits, CancellationToken cancellationToken) =>
        GitTrees.ReadAsync(options.Value.PathOf(repository.Organisation, repository.Slug), commit, limits, cancellationToken);

    public async Task<PushedHead?> PushedHeadAsync(CandidateRepository repository, CancellationToken cancellationToken)
    {
        var path = options.Value.PathOf(repository.Organisation, repository.Slug);
        var branch = options.Value.DefaultBranch;
        return Directory.Exists(path)
            && await BareRepository.HeadAsync(path, branch, cancellationToken) is { } head
            && !await BareRepository.IsRootCommitAsync(path, head, cancellationToken)
                ? new PushedHead(head, branch)
                : null;
    }

    public Task<string?> CommitMessageAsync(CandidateRepository repository, string commit, CancellationToken cancellationToken) =>
        BareRepository.CommitMessageAsync(options.Value.PathOf(repository.Organisation, repository.Slug), commit, cancellationToken);
}

/// <summary>Told of each push the built-in host accepted that moved the default branch, after the
/// client has its answer. Implemented by the Submissions feature, which records it and queues its
/// grading; declared here so the git host does not depend on what is done with a push.</summary>
public interface IPushRecorder
{
    /// <summary>Records <paramref name="commitSha"/> as pushed to <paramref name="branch"/> of the
    /// assessment's repository; a commit recorded already is not recorded again.</summary>
    Task RecordPushAsync(Guid assessmentId, string commitSha, string branch, CancellationToken cancellationToken);
}
