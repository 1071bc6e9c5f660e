using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>What a crashed worker leaves behind is removed once its grading's limits have passed,
/// and nothing of a live grading is; below the operator's minimum, no candidate code runs.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxReaperTests(DockerSandbox sandbox)
{
    [Fact]
    public async Task ExpiredContainersOfACrashedGradingAreReapedAndLiveOnesKept()
    {
        var ct = TestContext.Current.CancellationToken;
        // "Crashed": created and never disposed, as when a worker dies mid-grading.
        var crashed = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings(), DateTimeOffset.UtcNow.AddMinutes(-1), ct);
        await crashed.RunAsync(Side.Candidate, new CommandSpec("true", [], null, new Dictionary<string, string>(), TimeSpan.FromSeconds(30)), ct);
        await using var live = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings(), DateTimeOffset.UtcNow.AddMinutes(30), ct);

        var reaped = await new SandboxReaper(sandbox.Docker, TimeProvider.System).ReapAsync(everything: false, ct);

        Assert.Contains($"assessments-{crashed.GradingId}-candidate", reaped.Containers);
        Assert.Contains($"assessments-{crashed.GradingId}-grader", reaped.Containers);
        // The joined side goes before the grader that owns its namespace.
        Assert.True(reaped.Containers.ToList().IndexOf($"assessments-{crashed.GradingId}-candidate") < reaped.Containers.ToList().IndexOf($"assessments-{crashed.GradingId}-grader"));
        Assert.Empty(await sandbox.ContainersOfAsync(crashed.GradingId));
        Assert.DoesNotContain(reaped.Containers, name => name.Contains(live.GradingId, StringComparison.Ordinal));
        Assert.NotEmpty(await sandbox.ContainersOfAsync(live.GradingId));
        Assert.DoesNotContain(reaped.Volumes, v => v.StartsWith("assessments-feed-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContainersOfAnAttemptThatIsOverAreReapedBeforeTheyExpire()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = Guid.NewGuid().ToString("D");
        // The attempt whose worker died, and the retry that runs now; both far from expiring.
        var dead = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings() with { Owner = new SandboxOwner(run, 1) }, DateTimeOffset.UtcNow.AddMinutes(30), ct);
        await using var retry = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings() with { Owner = new SandboxOwner(run, 2) }, DateTimeOffset.UtcNow.AddMinutes(30), ct);
        IReadOnlyCollection<SandboxOwner>? asked = null;

        var reaped = await new SandboxReaper(sandbox.Docker, TimeProvider.System).ReapAsync(everything: false, (owners, _) =>
        {
            asked = owners;
            // Every owner is live but the dead attempt: other tests' gradings share this engine.
            return Task.FromResult<IReadOnlySet<SandboxOwner>>(owners.Where(o => o != new SandboxOwner(run, 1)).ToHashSet());
        }, ct);

        Assert.Contains(new SandboxOwner(run, 2), asked!);
        Assert.Contains($"assessments-{dead.GradingId}-grader", reaped.Containers);
        Assert.Empty(await sandbox.ContainersOfAsync(dead.GradingId));
        Assert.NotEmpty(await sandbox.ContainersOfAsync(retry.GradingId));
        Assert.DoesNotContain(reaped.Containers, name => name.Contains(retry.GradingId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BelowTheOperatorsMinimumNothingRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        // A pids limit of 0 is "unlimited" to the engine: the probe inside finds no limit.
        var settings = sandbox.Settings(limits: new SandboxLimits { Pids = 0 });

        var error = await Assert.ThrowsAsync<GradingInfrastructureException>(() =>
            DockerHost.CreateAsync(sandbox.Docker, settings, DateTimeOffset.UtcNow.AddMinutes(10), ct));

        Assert.Equal("isolation:grader", error.Stage);
        Assert.Contains("Refused: the grader container's isolation is below the operator's minimum: no process limit applies", error.Message);
    }
}
