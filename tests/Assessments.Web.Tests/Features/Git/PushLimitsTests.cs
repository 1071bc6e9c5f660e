using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>The size limits, with the exact git configuration and hook environment the git host
/// gives a push (limits this small would get in the way of every other test's web app), on a real
/// receive-pack. git clears configuration variables for a local push's receive-pack, so a wrapper
/// sets them again before it starts, as http-backend's environment does.</summary>
public sealed class PushLimitsTests : IDisposable
{
    private readonly GitClient _git = new();
    private readonly DirectoryInfo _server = Directory.CreateTempSubdirectory("push-limits-");

    [Fact]
    public async Task APackOverThePushLimitAndARepositoryOverItsSizeAreRefusedWithWhy()
    {
        var settings = new RepositoryOptions { Root = _server.FullName, MaxPushBytes = 1L << 20, MaxRepositoryBytes = 2L << 20 };
        GitHooks.Install(settings.HooksFolder);
        var bare = Path.Combine(_server.FullName, "acme", "ada.git");
        await _git.SucceedAsync(null, "init", "--quiet", "--bare", "--initial-branch", "main", bare);
        await _git.SucceedAsync(null, "clone", "--quiet", bare, "work");
        await _git.CommitAsync("work", "README.md", "template\n", "Template");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");
        var environment = GitHostEndpoints.PushEnvironment(
            new Assessment { Slug = "ada", Status = AssessmentStatus.Started, StartedAt = DateTimeOffset.UtcNow, TimeLimit = TimeSpan.FromHours(1) }, settings);

        // Random bytes do not compress: 1.5 MiB in one pack is over the 1 MiB push limit.
        Random(Path.Combine(_git.Folder, "work", "big.bin"), 1536 << 10);
        await _git.SucceedAsync("work", "add", "--all");
        await _git.SucceedAsync("work", "commit", "--quiet", "-m", "Big");
        var big = await PushAsync(environment);
        Assert.NotEqual(0, big.ExitCode);
        Assert.Contains("pack exceeds maximum allowed size", big.Output);

        // Three pushes of 0.75 MiB each fit the push limit, and the third takes the repository past 2 MiB.
        await _git.SucceedAsync("work", "reset", "--quiet", "--hard", "origin/main");
        var outcomes = new List<(int ExitCode, string Output)>();
        for (var i = 0; i < 3; i++)
        {
            Random(Path.Combine(_git.Folder, "work", $"part-{i}.bin"), 768 << 10);
            await _git.SucceedAsync("work", "add", "--all");
            await _git.SucceedAsync("work", "commit", "--quiet", "-m", $"Part {i}");
            outcomes.Add(await PushAsync(environment));
        }

        Assert.All(outcomes.Take(2), o => Assert.True(o.ExitCode == 0, o.Output));
        Assert.NotEqual(0, outcomes[2].ExitCode);
        Assert.Matches(@"remote: Assessments: the repository would take \d+ KiB, over its limit of 2048 KiB\.", outcomes[2].Output);
    }

    public void Dispose()
    {
        _git.Dispose();
        _server.Delete(recursive: true);
    }

    private static void Random(string path, int bytes) => File.WriteAllBytes(path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));

    private async Task<(int ExitCode, string Output)> PushAsync(IReadOnlyDictionary<string, string> environment)
    {
        var wrapper = Path.Combine(_server.FullName, "receive-pack");
        File.WriteAllText(wrapper, "#!/bin/sh\n" + string.Concat(environment.Select(e => $"export {e.Key}='{e.Value}'\n")) + "exec git-receive-pack \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return await _git.RunAsync("work", "push", $"--receive-pack={wrapper}", "origin", "main");
    }
}
