using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Assessments.Web.Tests.Features.Submissions;

/// <summary>From a recorded push to a queued grading, on the real database and Hangfire's tables:
/// exactly one submission per commit, one grading and one job per submission, whoever dispatches
/// and however often; and a push git accepted but nobody recorded is found by reconciliation.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class SubmissionPipelineTests(WebApp app) : IDisposable
{
    private readonly GitClient _git = new();

    [Fact]
    public async Task ConcurrentRecordingsAndRacingDispatchersGiveOneSubmissionOneGradingAndOneJobPerCommit()
    {
        var ct = TestContext.Current.CancellationToken;
        var assessmentId = await AssessmentAsync();
        var commits = Enumerable.Range(1, 25).Select(i => i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // Every commit recorded four times at once, as redelivered pushes would be, each in its own scope.
        var recorded = await Task.WhenAll(commits.SelectMany(c => Enumerable.Repeat(c, 4)).Select(async commit =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SubmissionRecorder>().RecordAsync(assessmentId, commit, "main", SubmissionSource.BuiltInPush, ct);
        }));
        Assert.Equal(commits.Count, recorded.Count(s => s is not null));

        // Three more dispatchers race the app's own.
        var dispatchedFrom = DateTimeOffset.UtcNow;
        var dispatchers = Enumerable.Range(0, 3).Select(_ => new OutboxDispatcher(app.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<OutboxDispatcher>.Instance)).ToList();
        await Task.WhenAll(dispatchers.Select(d => d.DispatchAsync(ct)));
        await Task.WhenAll(dispatchers.Select(d => d.DispatchAsync(ct)));

        // The app's own dispatcher may still hold rows the others skipped: wait for it to let go.
        await using var db = app.Database.CreateContext();
        for (var waited = 0; waited < 100 && await db.GradingRuns.AnyAsync(r => r.Submission!.AssessmentId == assessmentId && r.HangfireJobId == null, ct); waited++)
        {
            await Task.Delay(100, ct);
        }

        var submissions = await db.Submissions.Where(s => s.AssessmentId == assessmentId).Select(s => s.Id).ToListAsync(ct);
        Assert.Equal(commits.Count, submissions.Count);
        var runs = await db.GradingRuns.Where(r => r.Submission!.AssessmentId == assessmentId).ToListAsync(ct);
        Assert.Equal(submissions.Order(), runs.Select(r => r.SubmissionId!.Value).Order());
        Assert.All(runs, r => Assert.NotNull(r.HangfireJobId));
        foreach (var run in runs)
        {
            Assert.Equal(1, await HangfireJobsForAsync(run.Id));
        }

        // Nothing left that was there when they ran (tests beside this one may queue messages since).
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.DispatchedAt == null && m.CreatedAt < dispatchedFrom, ct));
    }

    [Fact]
    public async Task AMessageThatCannotBeDispatchedIsSetAsideWithItsReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = app.Database.CreateContext();
        var message = new OutboxMessage { Kind = Assessments.Web.Features.GitHub.ProvisioningMessages.Kind, Payload = "null" };
        var unknown = new OutboxMessage { Kind = "grade-submission", Payload = "{}" };
        db.OutboxMessages.AddRange(message, unknown);
        await db.SaveChangesAsync(ct);

        await new OutboxDispatcher(app.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<OutboxDispatcher>.Instance).DispatchAsync(ct);

        await db.Entry(message).ReloadAsync(ct);
        Assert.NotNull(message.DispatchedAt);
        Assert.Equal("payload 'null' is empty", message.LastError);
        await db.Entry(unknown).ReloadAsync(ct);
        Assert.NotNull(unknown.DispatchedAt);
        Assert.Equal("unknown kind 'grade-submission'", unknown.LastError);
    }

    [Fact]
    public async Task APushGitAcceptedButNobodyRecordedIsFoundByReconciliationOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var assessmentId = await AssessmentAsync();
        var bare = await SeededRepositoryAsync(assessmentId);
        await using var scope = app.Services.CreateAsyncScope();
        var reconciliation = scope.ServiceProvider.GetRequiredService<RepositoryReconciliation>();

        // The template alone is nothing to grade.
        Assert.Null(await reconciliation.ReconcileAsync(assessmentId, ct));

        // Straight into the bare repository, past the web app: as if it died before recording.
        await _git.SucceedAsync(null, "clone", "--quiet", bare, "work");
        var commit = await _git.CommitAsync("work", "NOTES.md", "unrecorded\n", "Unrecorded");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");

        var found = await reconciliation.ReconcileAsync(assessmentId, ct);
        Assert.NotNull(found);
        Assert.Equal(commit, found.CommitSha);
        Assert.Equal(SubmissionSource.Reconciliation, found.Source);
        Assert.Null(await reconciliation.ReconcileAsync(assessmentId, ct));

        await using var db = app.Database.CreateContext();
        Assert.Single(await db.GradingRuns.Where(r => r.SubmissionId == found.Id).ToListAsync(ct));
    }

    public void Dispose() => _git.Dispose();

    private async Task<long> HangfireJobsForAsync(Guid runId)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE @run", connection);
        command.Parameters.AddWithValue("run", $"%{runId}%");
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task<Guid> AssessmentAsync()
    {
        await using var db = app.Database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        assessment.Status = AssessmentStatus.Started;
        assessment.StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return assessment.Id;
    }

    private async Task<string> SeededRepositoryAsync(Guid assessmentId)
    {
        await using var db = app.Database.CreateContext();
        var assessment = await db.Assessments.Include(a => a.Organisation).SingleAsync(a => a.Id == assessmentId, TestContext.Current.CancellationToken);
        var bare = Path.Combine(app.Repositories.FullName, assessment.Organisation!.Slug, $"{assessment.Slug}.git");
        Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
        await TemplateRepository.SeedAsync(await Scaffold.PackageAsync(), bare, "main", TestContext.Current.CancellationToken);
        return bare;
    }
}
