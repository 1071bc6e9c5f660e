using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assessments.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace Assessments.EndToEnd.Tests;

/// <summary>GitHub redelivers, and two web processes answer at once: 200 copies of one push's
/// delivery split across two real web processes, with 50 distinct pushes (each delivered twice)
/// interleaved, must leave exactly one submission, one grading run and one Hangfire job per
/// distinct push. No worker runs: the jobs are counted where Hangfire keeps them.</summary>
public sealed class WebhookConcurrencyTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const int Copies = 200;
    private const int DistinctPushes = 50;
    private const int Assessments = 5;

    [Fact]
    public async Task DuplicateAndDistinctDeliveriesAcrossTwoWebProcessesYieldOneSubmissionAndOneJobPerPush()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("webhook-concurrency-");
        var assessments = await GitHubAssessments.SeedAsync(database.ConnectionString, data, Assessments, ct);

        var urls = new[] { $"http://127.0.0.1:{AssessProcess.FreePort()}", $"http://127.0.0.1:{AssessProcess.FreePort()}" };
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = database.ConnectionString,
            ["Repositories__Root"] = Path.Combine(data.FullName, "repositories"),
            ["Web__PublicBaseUrl"] = urls[0],
        };
        await using var first = AssessProcess.Start(environment, "serve", "--role", "web", "--urls", urls[0]);
        await using var second = AssessProcess.Start(environment, "serve", "--role", "web", "--urls", urls[1]);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 });
        await first.WaitForStatusAsync(new HttpClient { BaseAddress = new Uri(urls[0]) }, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));
        await second.WaitForStatusAsync(new HttpClient { BaseAddress = new Uri(urls[1]) }, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));

        // One push delivered 200 times under one delivery id, half to each process; 50 other
        // pushes over five assessments, each delivered once to each process; all shuffled.
        var duplicated = new Delivery(assessments[0], Guid.NewGuid().ToString(), GitHubAssessments.Sha());
        var deliveries = Enumerable.Range(0, Copies).Select(i => (duplicated, urls[i % 2])).ToList();
        var distinct = Enumerable.Range(0, DistinctPushes).Select(i => new Delivery(assessments[i % Assessments], Guid.NewGuid().ToString(), GitHubAssessments.Sha())).ToList();
        deliveries.AddRange(distinct.SelectMany(d => new[] { (d, urls[0]), (d, urls[1]) }));
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));

        var answers = new ConcurrentBag<(HttpStatusCode Status, string Outcome)>();
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 48, CancellationToken = ct }, async (item, token) =>
        {
            var (delivery, url) = item;
            using var request = GitHubAssessments.PushDelivery(url, delivery.Assessment, delivery.Id, delivery.Commit);
            using var response = await http.SendAsync(request, token);
            var text = await response.Content.ReadAsStringAsync(token);
            answers.Add((response.StatusCode, response.IsSuccessStatusCode ? JsonNode.Parse(text)!["status"]!.GetValue<string>() : text));
        });

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(1 + DistinctPushes, answers.Count(a => a.Outcome == "recorded"));
        Assert.Equal(Copies + 2 * DistinctPushes - 1 - DistinctPushes, answers.Count(a => a.Outcome == "duplicate"));

        // Both processes' dispatchers share the queued gradings; wait until each has its job.
        var expected = 1 + DistinctPushes;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NOT NULL", ct) < expected
            || await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NULL", ct) > 0) && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(250, ct);
        }

        Assert.Equal(expected, await ScalarAsync("SELECT count(*) FROM submissions", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(DISTINCT commit_sha) FROM submissions", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(*) FROM webhook_deliveries", ct));
        // A push's grading is queued in its own transaction: no message between them.
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM outbox_messages", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(*) FROM grading_runs", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(DISTINCT submission_id) FROM grading_runs", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(DISTINCT hangfire_job_id) FROM grading_runs", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%GradingJob%'", ct));
        Assert.Equal(expected, await ScalarAsync("SELECT count(*) FROM grading_runs r JOIN hangfire.job j ON j.id::text = r.hangfire_job_id", ct));
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM submissions WHERE commit_sha = '{duplicated.Commit}'", ct));
        foreach (var assessment in assessments)
        {
            var pushes = distinct.Count(d => d.Assessment == assessment) + (assessment == assessments[0] ? 1 : 0);
            Assert.Equal(pushes, await ScalarAsync($"SELECT count(*) FROM submissions WHERE assessment_id = '{assessment.Id}'", ct));
        }

        data.Delete(recursive: true);
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record Delivery(SeededAssessment Assessment, string Id, string Commit);
}
