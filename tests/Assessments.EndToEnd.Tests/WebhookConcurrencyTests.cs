using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Scenarios;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
        var assessments = await SeedAsync(data, ct);

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
        var duplicated = new Delivery(assessments[0], Guid.NewGuid().ToString(), Sha());
        var deliveries = Enumerable.Range(0, Copies).Select(i => (duplicated, urls[i % 2])).ToList();
        var distinct = Enumerable.Range(0, DistinctPushes).Select(i => new Delivery(assessments[i % Assessments], Guid.NewGuid().ToString(), Sha())).ToList();
        deliveries.AddRange(distinct.SelectMany(d => new[] { (d, urls[0]), (d, urls[1]) }));
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));

        var answers = new ConcurrentBag<(HttpStatusCode Status, string Outcome)>();
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 48, CancellationToken = ct }, async (item, token) =>
        {
            var (delivery, url) = item;
            var body = PushBody(delivery);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{url}/webhooks/github/{delivery.Assessment.Id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", delivery.Id);
            request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Compute(delivery.Assessment.Secret, Encoding.UTF8.GetBytes(body)));
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

    /// <summary>Five started GitHub assessments, each with its webhook secret protected by the same
    /// Data Protection key ring (in the database) the web processes read.</summary>
    private async Task<List<SeededAssessment>> SeedAsync(DirectoryInfo data, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AssessmentsDbContext>(o => o.UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention());
        services.AddDataProtection().SetApplicationName("Assessments").PersistKeysToDbContext<AssessmentsDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(GitHubRepositories.WebhookSecretPurpose);

        var library = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", library, cancellationToken);
        await new ScenarioImporter(db).ImportAsync(ScenarioPackage.Load(library).GetPackageOrThrow(library), cancellationToken);
        var version = await db.ScenarioVersions.SingleAsync(cancellationToken);
        var organisation = new Organisation { Slug = "acme", Name = "Acme", DefaultRepositoryHost = RepositoryHost.GitHub, GitHubOrganisation = "acme-hiring" };
        db.Organisations.Add(organisation);

        var seeded = new List<SeededAssessment>();
        for (var i = 0; i < Assessments; i++)
        {
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var assessment = new Assessment
            {
                Organisation = organisation,
                Candidate = new Candidate { Organisation = organisation, Name = $"Candidate {i}", Email = $"candidate{i}@example.com", GitHubLogin = $"candidate-{i}" },
                ScenarioVersionId = version.Id,
                Slug = $"candidate-{i}",
                Status = AssessmentStatus.Started,
                StartedAt = DateTimeOffset.UtcNow,
                TimeLimit = TimeSpan.FromHours(4),
                RepositoryHost = RepositoryHost.GitHub,
                ExternalRepositoryFullName = $"acme-hiring/candidate-{i}",
                ExternalRepositoryId = 9000 + i,
                WebhookSecretProtected = protector.Protect(secret),
            };
            db.Assessments.Add(assessment);
            seeded.Add(new SeededAssessment(assessment.Id, assessment.ExternalRepositoryId.Value, secret));
        }

        await db.SaveChangesAsync(cancellationToken);
        return seeded;
    }

    private static string PushBody(Delivery delivery) => new JsonObject
    {
        ["ref"] = "refs/heads/main",
        ["before"] = new string('0', 40),
        ["after"] = delivery.Commit,
        ["created"] = false,
        ["deleted"] = false,
        ["forced"] = false,
        ["repository"] = new JsonObject { ["id"] = delivery.Assessment.RepositoryId, ["default_branch"] = "main" },
    }.ToJsonString();

    private static string Sha() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record SeededAssessment(Guid Id, long RepositoryId, string Secret);

    private sealed record Delivery(SeededAssessment Assessment, string Id, string Commit);
}
