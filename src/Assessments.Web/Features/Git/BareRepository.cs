
namespace Assessments.Web.Features.Git;

/// <summary>Reads of a built-in bare repository, through the real git (<see cref="GitTrees.GitAsync"/>).</summary>
public static class BareRepository
{
    /// <summary>The commit <paramref name="branch"/> points at, or null when it does not exist.</summary>
    public static async Task<string?> HeadAsync(string bareRepository, string branch, CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await GitTrees.GitAsync(bareRepository, cancellationToken, "rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}");
        return exitCode == 0 ? output.Trim() : null;
    }

    /// <summary>Whether <paramref name="commit"/> has no parent: on the default branch, where history
    /// cannot be rewritten, that is the platform's template commit.</summary>
    public static async Task<bool> IsRootCommitAsync(string bareRepository, string commit, CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await GitTrees.GitAsync(bareRepository, cancellationToken, "rev-list", "--parents", "-n", "1", commit);
        return exitCode == 0 && output.Trim().Split(' ').Length == 1;
    }

    /// <summary>The full message of <paramref name="commit"/>, or null when it is not a commit here.</summary>
    public static async Task<string?> CommitMessageAsync(string bareRepository, string commit, CancellationToken cancellationToken)
    {
        if (!GitTrees.IsCommitId(commit) || !Directory.Exists(bareRepository))
        {
            return null;
        }

        var (exitCode, output, _) = await GitTrees.GitAsync(bareRepository, cancellationToken, "log", "-1", "--format=%B", commit);
        return exitCode == 0 ? output.TrimEnd() : null;
    }
}
