using System.Data.Common;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Assessments.Web.Tests.Features.Grading;

/// <summary>What pages ask of stored gradings, each answered in one statement however many
/// assessments or gradings it covers, read back from the real database.</summary>
public sealed class GradingRecordsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task LatestGradingPerAssessmentIsTheNewestNotSupersededInOneStatement()
    {
        var ct = TestContext.Current.CancellationToken;
        Guid[] ids;
        Guid expectedFirst, expectedSecond;
        await using (var db = database.CreateContext())
        {
            var first = new AssessmentBuilder().WithSlug("first").AddTo(db);
            var second = new AssessmentBuilder().WithSlug("second").AddTo(db);
            var never = new AssessmentBuilder().WithSlug("never").AddTo(db);
            var now = DateTimeOffset.UtcNow;
            expectedFirst = Run(db, first, '1', now.AddMinutes(-3), GradingStatus.Completed, GradingVerdict.TestsFailed).Id;
            Run(db, first, '2', now.AddMinutes(-2), GradingStatus.Superseded, null);
            Run(db, first, '0', now.AddMinutes(-9), GradingStatus.Completed, GradingVerdict.Passed);
            Run(db, second, '3', now.AddMinutes(-5), GradingStatus.Completed, GradingVerdict.BuildFailed);
            expectedSecond = Run(db, second, '4', now.AddMinutes(-1), GradingStatus.Queued, null).Id;
            await db.SaveChangesAsync(ct);
            ids = [first.Id, second.Id, never.Id];
        }

        var (latest, statements) = await CountingAsync(db => db.LatestGradingsAsync(ids, ct));

        Assert.Equal(1, statements);
        Assert.Equal(2, latest.Count);
        Assert.Equal((expectedFirst, GradingStatus.Completed, (GradingVerdict?)GradingVerdict.TestsFailed, new string('1', 40)),
            (latest[ids[0]].RunId, latest[ids[0]].Status, latest[ids[0]].Verdict, latest[ids[0]].CommitSha));
        Assert.Equal((expectedSecond, GradingStatus.Queued, (GradingVerdict?)null), (latest[ids[1]].RunId, latest[ids[1]].Status, latest[ids[1]].Verdict));
        Assert.False(latest.ContainsKey(ids[2]));
    }

    [Fact]
    public async Task MetricsOfManyGradingsAndFindingsByFileEachTakeOneStatement()
    {
        var ct = TestContext.Current.CancellationToken;
        var runs = new List<Guid>();
        await using (var db = database.CreateContext())
        {
            var assessment = new AssessmentBuilder().WithSlug("metrics").AddTo(db);
            for (var i = 0; i < 5; i++)
            {
                var run = Run(db, assessment, (char)('a' + i), DateTimeOffset.UtcNow.AddMinutes(-i), GradingStatus.Completed, GradingVerdict.Passed);
                runs.Add(run.Id);
                db.MetricSamples.AddRange(
                    new MetricSample { GradingRunId = run.Id, Key = "latency_p50", Unit = "ms", CandidateValue = i },
                    new MetricSample { GradingRunId = run.Id, Key = "statements_per_request", Unit = "statements", IsPrimary = true, CandidateValue = 1 });
            }

            db.Findings.AddRange(
                new Finding { GradingRunId = runs[0], Rule = "locked-file", Path = "tests/B.cs", Line = 9, Message = "b9" },
                new Finding { GradingRunId = runs[0], Rule = "sleep", Path = "src/A.cs", Line = 20, Message = "a20" },
                new Finding { GradingRunId = runs[0], Rule = "sleep", Path = "src/A.cs", Line = 4, Message = "a4" },
                new Finding { GradingRunId = runs[1], Rule = "sleep", Path = "src/C.cs", Line = 1, Message = "other run" });
            await db.SaveChangesAsync(ct);
        }

        var (metrics, metricStatements) = await CountingAsync(db => db.MetricsOfAsync(runs, ct));
        Assert.Equal(1, metricStatements);
        Assert.All(runs, id => Assert.Equal(["statements_per_request", "latency_p50"], metrics[id].Select(m => m.Key)));
        Assert.Equal(4, metrics[runs[4]].Single(m => m.Key == "latency_p50").CandidateValue);

        var (findings, findingStatements) = await CountingAsync(db => db.FindingsByFileAsync(runs[0], ct));
        Assert.Equal(1, findingStatements);
        Assert.Equal(["src/A.cs", "tests/B.cs"], findings.Select(g => g.Key));
        Assert.Equal(["a4", "a20"], findings["src/A.cs"].Select(f => f.Message));
    }

    private static GradingRun Run(AssessmentsDbContext db, Assessment assessment, char commit, DateTimeOffset queuedAt, GradingStatus status, GradingVerdict? verdict)
    {
        var submission = new Submission { Assessment = assessment, CommitSha = new string(commit, 40), ReceivedAt = queuedAt };
        db.Submissions.Add(submission);
        var run = GradingQueue.Queue(db, submission, assessment.ScenarioVersion!.Id);
        (run.QueuedAt, run.Status, run.Verdict) = (queuedAt, status, verdict);
        if (status is GradingStatus.Completed)
        {
            run.FinishedAt = queuedAt.AddSeconds(60);
        }

        return run;
    }

    private async Task<(T Result, int Statements)> CountingAsync<T>(Func<AssessmentsDbContext, Task<T>> query)
    {
        var counter = new CommandCounter();
        await using var db = new AssessmentsDbContext(new DbContextOptionsBuilder<AssessmentsDbContext>()
            .UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention().AddInterceptors(counter).Options);
        var result = await query(db);
        return (result, counter.Count);
    }

    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Count { get; private set; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Count++;
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
