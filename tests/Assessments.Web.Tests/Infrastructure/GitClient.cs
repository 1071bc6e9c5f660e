using System.Diagnostics;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>The real <c>git</c> client in a folder of its own, with nothing of the machine's
/// configuration and no prompt: a wrong credential fails instead of waiting for a person.</summary>
public sealed class GitClient : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("git-client-");

    /// <summary>Where clones go.</summary>
    public string Folder => _home.FullName;

    /// <summary>Runs git in <paramref name="directory"/> (relative to <see cref="Folder"/>) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string? directory, params string[] args)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory is null ? Folder : Path.Combine(Folder, directory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = Folder;
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ASKPASS"] = "/bin/false";
        info.Environment["GIT_AUTHOR_NAME"] = info.Environment["GIT_COMMITTER_NAME"] = "Candidate";
        info.Environment["GIT_AUTHOR_EMAIL"] = info.Environment["GIT_COMMITTER_EMAIL"] = "candidate@example.com";
        using var git = Process.Start(info)!;
        var stdout = git.StandardOutput.ReadToEndAsync();
        var stderr = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (git.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs git and fails the test unless it exits 0; returns its output.</summary>
    public async Task<string> SucceedAsync(string? directory, params string[] args)
    {
        var (exitCode, output) = await RunAsync(directory, args);
        Assert.True(exitCode == 0, $"git {string.Join(' ', args)} exited {exitCode}: {output}");
        return output;
    }

    /// <summary>Writes a file in a clone and commits it; returns the new commit's id.</summary>
    public async Task<string> CommitAsync(string clone, string path, string text, string message)
    {
        var file = Path.Combine(Folder, clone, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
        await SucceedAsync(clone, "add", "--all");
        await SucceedAsync(clone, "commit", "--quiet", "-m", message);
        return (await SucceedAsync(clone, "rev-parse", "HEAD")).Trim();
    }

    public void Dispose() => _home.Delete(recursive: true);
}
