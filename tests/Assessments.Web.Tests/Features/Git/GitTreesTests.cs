using System.Diagnostics;
using System.Text;
using Assessments.Runner.Submissions;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>A commit read from git's object database with the real git client: links and
/// submodules listed and never followed, attributes of the candidate's ignored, limits checked
/// against git's own sizes before any content is read.</summary>
public sealed class GitTreesTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("git-trees-");

    [Fact]
    public async Task ACommitsRegularFilesAreReadAndItsLinksLeftOut()
    {
        var (bare, commit) = Commit(work =>
        {
            Write(work, "src/App.cs", "class App {}");
            Write(work, "run.sh", "#!/bin/sh\necho hi\n");
            File.SetUnixFileMode(Path.Combine(work, "run.sh"), (UnixFileMode)0b111_101_101);
            // Would hide the file from `git archive`; a tree read from objects does not care.
            Write(work, ".gitattributes", "src/App.cs export-ignore\n");
            File.CreateSymbolicLink(Path.Combine(work, "passwd"), "/etc/passwd");
            Directory.CreateSymbolicLink(Path.Combine(work, "etc"), "/etc");
        });

        var tree = await GitTrees.ReadAsync(bare, commit, new TreeLimits(), TestContext.Current.CancellationToken);

        Assert.Equal([".gitattributes", "run.sh", "src/App.cs"], tree.Files.Select(f => f.Path));
        Assert.True(tree.Files.Single(f => f.Path == "run.sh").Executable);
        Assert.Equal("class App {}", Encoding.UTF8.GetString(tree.Files.Single(f => f.Path == "src/App.cs").Content));
        Assert.Equal(["etc", "passwd"], tree.SkippedLinks);
        Assert.DoesNotContain(tree.Files, f => Encoding.UTF8.GetString(f.Content).Contains("root:x:0:0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileOverTheLimitIsRefusedByItsListedSize()
    {
        var (bare, commit) = Commit(work => Write(work, "data/dump.sql", new string('x', 5000)));

        var error = await Assert.ThrowsAsync<CandidateTreeException>(() =>
            GitTrees.ReadAsync(bare, commit, new TreeLimits(MaxFileBytes: 4096), TestContext.Current.CancellationToken));
        Assert.Contains("data/dump.sql is 5000 bytes", error.Message);
    }

    [Fact]
    public async Task ACommitThatIsNotThereOrNotAnIdIsRefused()
    {
        var (bare, _) = Commit(work => Write(work, "a.txt", "a"));

        var missing = await Assert.ThrowsAsync<CandidateTreeException>(() =>
            GitTrees.ReadAsync(bare, new string('a', 40), new TreeLimits(), TestContext.Current.CancellationToken));
        Assert.Contains("is not in the repository", missing.Message);
        var option = await Assert.ThrowsAsync<CandidateTreeException>(() =>
            GitTrees.ReadAsync(bare, "--output=/tmp/x", new TreeLimits(), TestContext.Current.CancellationToken));
        Assert.Contains("is not a full commit id", option.Message);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private (string Bare, string Commit) Commit(Action<string> fill)
    {
        var work = Path.Combine(_root.FullName, "work");
        Directory.CreateDirectory(work);
        Git(work, "init", "--quiet", "--initial-branch", "main");
        fill(work);
        Git(work, "add", "--all", "--force", ".");
        Git(work, "-c", "user.name=Candidate", "-c", "user.email=c@example.com", "commit", "--quiet", "-m", "work");
        var commit = Git(work, "rev-parse", "HEAD").Trim();
        var bare = Path.Combine(_root.FullName, "repo.git");
        Git(_root.FullName, "clone", "--quiet", "--bare", work, bare);
        return (bare, commit);
    }

    private static void Write(string root, string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text, new UTF8Encoding(false));
    }

    private static string Git(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }
}
