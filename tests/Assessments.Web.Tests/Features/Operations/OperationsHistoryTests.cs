using Assessments.Web.Data;
using Assessments.Web.Features.Operations;
using Assessments.Web.Tests.Infrastructure;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.Operations;

/// <summary>What <c>/ops</c> reads, on a database of its own so every figure is known: the queue
/// and the outbox now, the sampler's history, push-to-result and verdicts from the gradings, the
/// counts by cause and outcome, and the worker processes from Hangfire's servers.</summary>
public sealed class OperationsHistoryTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private readonly Npgsql.NpgsqlDataSource _dataSource = Npgsql.NpgsqlDataSource.Create(database.ConnectionString);
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public async ValueTask InitializeAsync() => await database.ResetAsync();

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _meters.DisposeAsync();
    }

    [Fact]
    public async Task TheQueueNowAndTheLastDayAreReadFromTheRecordAndTheSamples()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        await using (var db = database.CreateContext())
        {
            var package = await Scaffold.PackageAsync();
            await new Assessments.Web.Features.Scenarios.ScenarioImporter(db).ImportAsync(package, ct);
            var version = await db.ScenarioVersions.SingleAsync(v => v.ContentHash == package.ContentHash, ct);
            var assessment = new AssessmentBuilder().AddTo(db);
            assessment.ScenarioVersion = version;
            await db.SaveChangesAsync(ct);

            // Finished within the day: 60 s, 120 s and 300 s from push to result; one the day before.
            Finished(db, assessment, version, now.AddMinutes(-10), TimeSpan.FromSeconds(60), GradingStatus.Completed, GradingVerdict.Passed);
            Finished(db, assessment, version, now.AddMinutes(-5), TimeSpan.FromSeconds(120), GradingStatus.Completed, GradingVerdict.TestsFailed);
            Finished(db, assessment, version, now.AddHours(-2), TimeSpan.FromSeconds(300), GradingStatus.Failed, GradingVerdict.SandboxError);
            Finished(db, assessment, version, now.AddHours(-25), TimeSpan.FromSeconds(9), GradingStatus.Completed, GradingVerdict.BuildFailed);
            // One waiting 90 s and not yet handed to Hangfire, one running, one outbox message 30 s old.
            var waiting = new Submission { AssessmentId = assessment.Id, CommitSha = Commit(), ReceivedAt = now.AddSeconds(-90) };
            db.GradingRuns.Add(new GradingRun { Kind = GradingKind.Candidate, Submission = waiting, ScenarioVersionId = version.Id, QueuedAt = now.AddSeconds(-90) });
            var running = new Submission { AssessmentId = assessment.Id, CommitSha = Commit(), ReceivedAt = now.AddSeconds(-20) };
            db.GradingRuns.Add(new GradingRun { Kind = GradingKind.Candidate, Submission = running, ScenarioVersionId = version.Id, Status = GradingStatus.Running, HangfireJobId = "7", StartedAt = now.AddSeconds(-10) });
            db.OutboxMessages.Add(new OutboxMessage { Kind = "provision-repository", Payload = "{}", CreatedAt = now.AddSeconds(-30) });
            await db.SaveChangesAsync(ct);
        }

        var metrics = new OperationsMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebApp.TestMeter);
        metrics.SandboxError("start-postgres");
        metrics.SandboxError("start-postgres");
        metrics.WebhookDelivery("history-test", "rejected");
        var sampler = new OperationsSampler(_dataSource, metrics, Options.Create(new OperationsOptions()), TimeProvider.System, NullLogger<OperationsSampler>.Instance);
        await sampler.SampleAsync(ct);

        // The gauges at /metrics read what the sampler read.
        var snapshot = metrics.Snapshot!;
        Assert.Equal((1, 1, 2), (snapshot.Queued, snapshot.Running, snapshot.OutboxBacklog));
        Assert.InRange(snapshot.OldestQueuedAge!.Value.TotalSeconds, 89, 150);
        Assert.InRange(snapshot.OldestOutboxAge!.Value.TotalSeconds, 29, 90);

        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions { SchemaName = "hangfire_ops_test" });
        using (var connection = storage.GetConnection())
        {
            connection.AnnounceServer("worker-a:4242:grading", new ServerContext { Queues = ["grading"], WorkerCount = 1 });
            connection.Heartbeat("worker-a:4242:grading");
        }

        await using var history = database.CreateContext();
        var day = await new OperationsHistory(history, _dataSource, storage, TimeProvider.System).LoadAsync(ct);

        Assert.Equal((1, 1, 2), (day.Now.Queued, day.Now.Running, day.Now.OutboxBacklog));
        var worker = Assert.Single(day.Workers);
        Assert.Equal(("worker-a:4242:grading", 1, "grading"), (worker.Name, worker.Workers, Assert.Single(worker.Queues)));
        Assert.NotNull(worker.Heartbeat);

        // The day's three, not the one before: the median and the 95th percentile (interpolated).
        Assert.Equal(3, day.Latency.Count);
        Assert.Equal(120, day.Latency.Median!.Value, 3);
        Assert.Equal(282, day.Latency.P95!.Value, 3);
        Assert.Equal(24, day.LatencyByHour.Count);
        Assert.Equal(3, day.LatencyByHour.Sum(h => h.Count));
        Assert.Equal(0, day.LatencyByHour.SkipLast(3).Sum(h => h.Count));

        Assert.Equal(
            [("passed", 1L), ("sandbox-error", 1L), ("tests-failed", 1L)],
            day.Verdicts.Select(v => (v.Label, v.Count)).OrderBy(v => v.Label));
        Assert.Equal([new Tally("start-postgres", 2)], day.SandboxErrors);
        Assert.Equal([new Tally("rejected", 1)], day.Deliveries);
        Assert.Equal(1, day.DeliveriesByHour["rejected"][^1]);
        Assert.Equal(0, day.DeliveriesByHour["rejected"].SkipLast(1).Sum());

        // The queue's quarter hours: this one sampled, the others not (a gap, not a zero).
        Assert.Equal(96, day.Queued.Count);
        Assert.Equal(1, day.Queued[^1]);
        Assert.Equal(1, day.Running[^1]);
        Assert.Equal(2, day.OutboxBacklog[^1]);
        Assert.All(day.Queued.Take(90), q => Assert.Null(q));

        // Counted once: a second pass adds nothing new, and the gauges stay one row per minute.
        await sampler.SampleAsync(ct);
        var again = await new OperationsHistory(history, _dataSource, storage, TimeProvider.System).LoadAsync(ct);
        Assert.Equal([new Tally("start-postgres", 2)], again.SandboxErrors);
        await using var db2 = database.CreateContext();
        Assert.InRange(await db2.OperationGauges.CountAsync(g => g.Name == OperationsSampler.Gauges.Queued, ct), 1, 2);
    }

    [Fact]
    public async Task CountsTheDatabaseCouldNotTakeAreKeptForTheNextPass()
    {
        var ct = TestContext.Current.CancellationToken;
        var metrics = new OperationsMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebApp.TestMeter);
        metrics.WebhookDelivery("history-test", "duplicate");
        await using (var unreachable = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2;Username=nobody;Password=x"))
        {
            var broken = new OperationsSampler(unreachable, metrics, Options.Create(new OperationsOptions()), TimeProvider.System, NullLogger<OperationsSampler>.Instance);
            await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => broken.FlushCountsAsync(ct));
        }

        metrics.WebhookDelivery("history-test", "duplicate");
        await new OperationsSampler(_dataSource, metrics, Options.Create(new OperationsOptions()), TimeProvider.System, NullLogger<OperationsSampler>.Instance).FlushCountsAsync(ct);
        await using var db = database.CreateContext();
        Assert.Equal(2, await db.OperationCounts.Where(c => c.Name == OperationsMetrics.Counts.WebhookDeliveries && c.Label == "duplicate").SumAsync(c => c.Count, ct));
    }

    private static void Finished(AssessmentsDbContext db, Assessment assessment, ScenarioVersion version, DateTimeOffset finished, TimeSpan sincePush, GradingStatus status, GradingVerdict verdict)
    {
        var submission = new Submission { AssessmentId = assessment.Id, CommitSha = Commit(), ReceivedAt = finished - sincePush };
        db.GradingRuns.Add(new GradingRun
        {
            Kind = GradingKind.Candidate,
            Submission = submission,
            ScenarioVersionId = version.Id,
            Status = status,
            Verdict = verdict,
            Attempt = 1,
            QueuedAt = finished - sincePush,
            StartedAt = finished - sincePush,
            FinishedAt = finished,
        });
    }

    private static string Commit() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000";
}
