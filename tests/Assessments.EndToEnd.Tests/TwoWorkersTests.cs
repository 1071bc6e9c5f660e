using System.Net;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.Scenarios;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.EntityFrameworkCore;

namespace Assessments.EndToEnd.Tests;

/// <summary>Two worker processes against one database, each with a cache folder of its own, as on
/// two machines: a queue of gradings is shared between them, and each grading runs exactly once.
/// The pushes name commits their repositories do not hold, so each grading is a real run of the
/// grading job (engine and image checked, the commit looked up, the report stored) that ends at
/// the fetch without building anything: the test is about who runs what, not about grading.</summary>
public sealed class TwoWorkersTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const int Gradings = 12;

    [Fact]
    public async Task AQueueOfGradingsIsSharedByTwoWorkersAndEachRunsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("two-workers-");
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false });
        var workers = new List<AssessProcess>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                var port = AssessProcess.FreePort();
                var worker = AssessProcess.Start(
                    new Dictionary<string, string>
                    {
                        ["ConnectionStrings__Assessments"] = database.ConnectionString,
                        ["Repositories__Root"] = Path.Combine(data.FullName, "repositories"),
                        ["Sandbox__CacheFolder"] = Path.Combine(data.FullName, $"cache-{name}"),
                    },
                    "worker", "--urls", $"http://127.0.0.1:{port}");
                workers.Add(worker);
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await worker.WaitForStatusAsync(http, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));
            }

            // Both are taking jobs before there is any: neither gets the whole queue by starting first.
            await WaitAsync(() => storage.GetMonitoringApi().Servers().Count(s => s.Queues.Contains("grading")) == 2, "both workers' grading servers", workers, ct);

            var runs = await QueueGradingsAsync(data, ct);
            await WaitAsync(async () =>
            {
                await using var db = database.CreateContext();
                return await db.GradingRuns.CountAsync(r => runs.Contains(r.Id) && r.Status == GradingStatus.Completed, ct) == Gradings;
            }, $"{Gradings} gradings completed", workers, ct);

            await using var check = database.CreateContext();
            var finished = await check.GradingRuns.Where(r => runs.Contains(r.Id)).ToListAsync(ct);
            Assert.All(finished, r =>
            {
                Assert.Equal((1, GradingVerdict.NotAllowed, "fetch"), (r.Attempt, r.Verdict, r.Stage));
                Assert.NotNull(r.HangfireJobId);
            });

            // Each job was processed once, by one of the two; both took some.
            var monitoring = storage.GetMonitoringApi();
            var servers = finished.Select(r =>
            {
                var processing = monitoring.JobDetails(r.HangfireJobId).History.Where(h => h.StateName == "Processing").ToList();
                Assert.Single(processing);
                return processing[0].Data["ServerId"];
            }).ToList();
            var byWorker = workers.Select(w => servers.Count(s => s.Contains($":{w.ProcessId}:", StringComparison.Ordinal))).ToList();
            Assert.Equal(Gradings, byWorker.Sum());
            Assert.All(byWorker, count => Assert.True(count > 0, $"one worker took none of them: {string.Join(", ", byWorker)}"));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            data.Delete(recursive: true);
        }
    }

    /// <summary>One push per assessment (a newer push would supersede an older one), each naming a
    /// commit its repository does not hold; the workers' outbox dispatchers give them their jobs.</summary>
    private async Task<List<Guid>> QueueGradingsAsync(DirectoryInfo data, CancellationToken ct)
    {
        var folder = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", folder, ct);
        await using var db = database.CreateContext();
        await new ScenarioImporter(db).ImportAsync(ScenarioPackage.Load(folder).GetPackageOrThrow(folder), ct);
        var version = await db.ScenarioVersions.SingleAsync(ct);
        var organisation = new Organisation { Slug = "two-workers", Name = "Two workers" };
        var runs = new List<GradingRun>();
        for (var i = 0; i < Gradings; i++)
        {
            var assessment = new Assessment
            {
                Organisation = organisation,
                Candidate = new Candidate { Organisation = organisation, Name = $"Candidate {i}", Email = $"candidate-{i}@example.com" },
                ScenarioVersionId = version.Id,
                Slug = $"candidate-{i}",
                Deadline = DateTimeOffset.UtcNow.AddDays(1),
            };
            var submission = new Submission { Assessment = assessment, CommitSha = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000" };
            runs.Add(new GradingRun { Kind = GradingKind.Candidate, Submission = submission, ScenarioVersionId = version.Id });
        }

        db.GradingRuns.AddRange(runs);
        await db.SaveChangesAsync(ct);
        return [.. runs.Select(r => r.Id)];
    }

    private static async Task WaitAsync(Func<Task<bool>> done, string what, IReadOnlyList<AssessProcess> workers, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), $"{what}: not after 3 minutes.\n{string.Join("\n----\n", workers.Select(w => w.StandardError))}");
            await Task.Delay(250, ct);
        }
    }

    private static Task WaitAsync(Func<bool> done, string what, IReadOnlyList<AssessProcess> workers, CancellationToken ct) =>
        WaitAsync(() => Task.FromResult(done()), what, workers, ct);
}
