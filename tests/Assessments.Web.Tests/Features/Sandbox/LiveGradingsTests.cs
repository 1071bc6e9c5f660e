using Assessments.Runner.Sandbox;
using Assessments.Web.Data;
using Assessments.Web.Features.Sandbox;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.Sandbox;

/// <summary>Which sandbox containers the reaper may take before they expire: those of a grading of
/// this database that is no longer running the attempt that made them. Anything it cannot place
/// (another installation's grading on a shared engine, a label that is no run id) it leaves.</summary>
public sealed class LiveGradingsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await database.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task OnlyTheRunningAttemptOfAKnownGradingIsLive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        var retried = new GradingRun { Submission = new Submission { Assessment = assessment, CommitSha = new string('a', 40) }, ScenarioVersion = assessment.ScenarioVersion, Status = GradingStatus.Running, Attempt = 2 };
        var finished = new GradingRun { Submission = new Submission { Assessment = assessment, CommitSha = new string('b', 40) }, ScenarioVersion = assessment.ScenarioVersion, Status = GradingStatus.Completed, Verdict = GradingVerdict.Passed, FinishedAt = DateTimeOffset.UtcNow, Attempt = 1 };
        var waiting = new GradingRun { Submission = new Submission { Assessment = assessment, CommitSha = new string('c', 40) }, ScenarioVersion = assessment.ScenarioVersion, Status = GradingStatus.Queued, Attempt = 1 };
        db.GradingRuns.AddRange(retried, finished, waiting);
        await db.SaveChangesAsync(ct);

        SandboxOwner[] owners =
        [
            LiveGradings.Owner(retried.Id, 1), LiveGradings.Owner(retried.Id, 2),
            LiveGradings.Owner(finished.Id, 1), LiveGradings.Owner(waiting.Id, 1),
            LiveGradings.Owner(Guid.CreateVersion7(), 1), new("not-a-run", 1),
        ];
        var live = await LiveGradings.AmongAsync(db, owners, ct);

        // The waiting run's attempt 1 is over (its next has not begun); the unknown run and the
        // label that is no run id are another installation's business.
        Assert.True(live.SetEquals([owners[1], owners[4], owners[5]]), string.Join(", ", live));
    }
}
