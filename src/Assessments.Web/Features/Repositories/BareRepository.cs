using System.Diagnostics;

namespace Assessments.Web.Features.Repositories;

/// <summary>Reads of a built-in bare repository, through the real git with nothing of the
/// machine's configuration.</summary>
public static class BareRepository
{
    /// <summary>The commit <paramref name="branch"/> points at, or null when it does not exist.</summary>
    public static async Task<string?> HeadAsync(string bareRepository, string branch, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await GitAsync(bareRepository, cancellationToken, "rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}");
        return exitCode == 0 ? output.Trim() : null;
    }

    /// <summary>Whether <paramref name="commit"/> has no parent: on the default branch, where history
    /// cannot be rewritten, that is the platform's template commit.</summary>
    public static async Task<bool> IsRootCommitAsync(string bareRepository, string commit, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await GitAsync(bareRepository, cancellationToken, "rev-list", "--parents", "-n", "1", commit);
        return exitCode == 0 && output.Trim().Split(' ').Length == 1;
    }

    private static async Task<(int ExitCode, string Output)> GitAsync(string bareRepository, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-C");
        info.ArgumentList.Add(bareRepository);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken);
        return (git.ExitCode, await output);
    }
}
