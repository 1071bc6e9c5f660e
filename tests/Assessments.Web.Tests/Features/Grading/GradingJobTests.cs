using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Sandbox;
using Assessments.Web.Common;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.Grading;

/// <summary>The grading job's bookkeeping, called as Hangfire would call it, on the real database:
/// waiting pushes coalesce to the newest, the final submission is always graded, a sandbox error
/// (ours) is retried up to the limit, a candidate's tree problem is a verdict and is not.</summary>
public sealed class GradingJobTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private readonly DirectoryInfo _repositories = Directory.CreateTempSubdirectory("grading-repos-");
    private readonly Npgsql.NpgsqlDataSource _dataSource = Npgsql.NpgsqlDataSource.Create(database.ConnectionString);
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private OperationsMetrics? _metrics;

    public async ValueTask InitializeAsync() => await database.ResetAsync();

    public async ValueTask DisposeAsync()
    {
        _repositories.Delete(recursive: true);
        await _dataSource.DisposeAsync();
        await _meters.DisposeAsync();
    }

    [Fact]
    public async Task AnOlderPushIsSupersededWhenANewerOneWaits()
    {
        var ct = TestContext.Current.CancellationToken;
        var (older, _) = await TwoSubmissionsAsync(olderIsFinal: false);

        await Job().RunAsync(older, ct);

        await using var db = database.CreateContext();
        var run = await db.GradingRuns.SingleAsync(r => r.Id == older, ct);
        Assert.Equal(GradingStatus.Superseded, run.Status);
        Assert.Equal(0, run.Attempt);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task TheFinalSubmissionIsGradedEvenWhenNewerOnesExist()
    {
        var ct = TestContext.Current.CancellationToken;
        var (final, _) = await TwoSubmissionsAsync(olderIsFinal: true);
        await using (var closing = database.CreateContext())
        {
            var assessment = await closing.GradingRuns.Where(r => r.Id == final).Select(r => r.Submission!.Assessment!).SingleAsync(ct);
            assessment.Status = AssessmentStatus.Closed;
            assessment.StartedAt = DateTimeOffset.UtcNow.AddHours(-2);
            assessment.ClosedAt = DateTimeOffset.UtcNow;
            await closing.SaveChangesAsync(ct);
        }

        // Its commit is not in the (missing) repository: the candidate's problem, a verdict, no retry.
        await Job().RunAsync(final, ct);

        await using var db = database.CreateContext();
        var run = await db.GradingRuns.Include(r => r.Submission!.Assessment).SingleAsync(r => r.Id == final, ct);
        // The closed assessment waited for exactly this.
        Assert.Equal(AssessmentStatus.ReadyForReview, run.Submission!.Assessment!.Status);
        Assert.Equal(GradingStatus.Completed, run.Status);
        Assert.Equal(1, run.Attempt);
        Assert.Equal(GradingVerdict.NotAllowed, run.Verdict);
        Assert.Equal("fetch", run.Stage);
        Assert.Contains("not in the repository", GradingReport.FromJson(run.Report!).Message);
    }

    [Fact]
    public async Task ASandboxErrorIsRetriedUntilTheLastAttemptFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, newest) = await TwoSubmissionsAsync(olderIsFinal: false);
        var job = Job(image: "assessments-sandbox:missing-for-this-test");

        for (var attempt = 1; attempt <= GradingJob.MaxAttempts; attempt++)
        {
            var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => job.RunAsync(newest, ct));
            // Each attempt is a sandbox error by its cause; only the last ends the grading, as one.
            var counted = _metrics!.TakePending();
            Assert.Contains((OperationsMetrics.Counts.SandboxErrors, nameof(SandboxUnavailableException), 1L), counted);
            Assert.Equal(attempt == GradingJob.MaxAttempts, counted.Contains((OperationsMetrics.Counts.CandidateGradings, "sandbox-error", 1L)));
            Assert.Contains("assessments-sandbox:missing-for-this-test", error.Message);

            await using var db = database.CreateContext();
            var run = await db.GradingRuns.SingleAsync(r => r.Id == newest, ct);
            Assert.Equal(attempt, run.Attempt);
            Assert.Equal(attempt < GradingJob.MaxAttempts ? GradingStatus.Queued : GradingStatus.Failed, run.Status);
            Assert.Contains("missing-for-this-test", run.Log);
        }
    }

    private GradingJob Job(string? image = null)
    {
        var sandbox = Options.Create(new SandboxOptions { Image = image, CacheFolder = Path.Combine(_repositories.FullName, "cache") });
        var runtime = new SandboxRuntime(sandbox, TimeProvider.System, NullLogger<SandboxRuntime>.Instance);
        var db = database.CreateContext();
        // These submissions are on the built-in host: GitHub is not registered, as on a server without it.
        var repositories = new BuiltInRepositories(Options.Create(new RepositoryOptions { Root = _repositories.FullName }));
        _metrics = new OperationsMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebApp.TestMeter);
        return new GradingJob(db, runtime, new GradingEngine(sandbox.Value.GradingEngine), [repositories], sandbox, _dataSource, _metrics, NullLogger<GradingJob>.Instance);
    }

    /// <summary>Two pushes of one assessment with a grading each; returns the older's and the newer's grading ids.</summary>
    private async Task<(Guid Older, Guid Newer)> TwoSubmissionsAsync(bool olderIsFinal)
    {
        await using var db = database.CreateContext();
        var package = await ImportedScaffoldAsync(db);
        var assessment = new AssessmentBuilder().AddTo(db);
        assessment.ScenarioVersion = package;
        await db.SaveChangesAsync();

        var older = new Submission { AssessmentId = assessment.Id, CommitSha = new string('1', 40), IsFinal = olderIsFinal, ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-2) };
        var newer = new Submission { AssessmentId = assessment.Id, CommitSha = new string('2', 40), ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
        db.Submissions.AddRange(older, newer);
        var olderRun = new GradingRun { Kind = GradingKind.Candidate, Submission = older, ScenarioVersionId = package.Id };
        var newerRun = new GradingRun { Kind = GradingKind.Candidate, Submission = newer, ScenarioVersionId = package.Id };
        db.GradingRuns.AddRange(olderRun, newerRun);
        await db.SaveChangesAsync();
        return (olderRun.Id, newerRun.Id);
    }

    private static async Task<ScenarioVersion> ImportedScaffoldAsync(AssessmentsDbContext db)
    {
        var package = await Scaffold.PackageAsync();
        await new Assessments.Web.Features.Scenarios.ScenarioImporter(db).ImportAsync(package, CancellationToken.None);
        return await db.ScenarioVersions.SingleAsync(v => v.ContentHash == package.ContentHash);
    }
}
