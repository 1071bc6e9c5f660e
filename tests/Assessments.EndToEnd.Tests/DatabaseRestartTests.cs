using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Assessments.EndToEnd.Tests;

/// <summary>PostgreSQL crashes while pushes and webhook deliveries arrive, then comes back (a
/// cluster of this test's own, so nothing else notices). Every push git acknowledged and every
/// delivery answered 2xx is recorded exactly once; a client that got an error tries again, as
/// git users and GitHub's redelivery do, and each of those is recorded once too. The web process
/// itself lives through it and queues every grading.</summary>
public sealed class DatabaseRestartTests
{
    private const int GitHubCandidates = 3;
    private const int Deliveries = 60;

    [Fact]
    public async Task PushesAndDeliveriesAcknowledgedAcrossACrashOfTheDatabaseAreEachRecordedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("database-restart-");
        await using var cluster = await PrivateCluster.StartAsync("restart", ct);
        var connectionString = await cluster.CreateDatabaseAsync("assessments", ct);
        var webPort = AssessProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = connectionString,
            ["Repositories__Root"] = Path.Combine(data.FullName, "repositories"),
            ["Web__PublicBaseUrl"] = $"http://127.0.0.1:{webPort}",
        };
        var migrate = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(2), "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        var gitHub = await GitHubAssessments.SeedAsync(connectionString, data, GitHubCandidates, ct);

        // One candidate on the built-in git host, pushing through a proxy that can hold a push.
        var invite = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "invite", "--scenario", "greeting", "--candidate", "ada@example.com", "--host", "builtin", "--time-limit", "4h", "--allow-unverified", "--json");
        Assert.True(invite.ExitCode == 0, invite.Stderr);
        var builtIn = JsonDocument.Parse(invite.Stdout).RootElement.GetProperty("assessmentId").GetGuid();
        var start = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "start", builtIn.ToString(), "--json");
        Assert.True(start.ExitCode == 0, start.Stderr);
        var started = JsonDocument.Parse(start.Stdout).RootElement;

        await using var web = await InProcessWeb.StartAsync(environment, ct);
        await using var proxy = new HoldingProxy(webPort);
        var cloneUrl = new UriBuilder(started.GetProperty("cloneUrl").GetString()!)
        {
            Port = proxy.Port,
            UserName = started.GetProperty("username").GetString(),
            Password = started.GetProperty("token").GetString(),
        }.Uri.ToString();
        var clone = Path.Combine(data.FullName, "clone");
        GitCommand.Succeed(data.FullName, "clone", "--quiet", cloneUrl, clone);

        // A push held after the server authenticated it and found its repository, the database
        // crashed under it, then the pack let through: git moves the branch and says so.
        var first = Commit(clone, "first");
        var held = proxy.HoldNextPushAsync();
        var push = Task.Run(() => GitCommand.Run(clone, "push", "--quiet", "origin", "main"), ct);
        await held.WaitAsync(TimeSpan.FromMinutes(1), ct);
        await WaitForChildAsync("git-http-backend", ct);
        await cluster.CrashAsync(ct);
        proxy.Release();
        var (pushExit, pushOutput) = await push.WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.True(pushExit == 0, pushOutput);

        // Deliveries arrive while the database is down and while it recovers: each is sent until
        // it gets a 2xx, half of them twice at once (GitHub redelivering).
        var deliveries = Enumerable.Range(0, Deliveries)
            .Select(i => (Assessment: gitHub[i % GitHubCandidates], Id: Guid.NewGuid().ToString(), Commit: GitHubAssessments.Sha()))
            .ToList();
        var sends = deliveries.Concat(deliveries.Where((_, i) => i % 2 == 0)).ToList();
        var errors = new ConcurrentBag<string>();
        var answers = new ConcurrentBag<(string Delivery, string Status)>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sending = Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (delivery, token) =>
        {
            var giveUp = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var request = GitHubAssessments.PushDelivery($"http://127.0.0.1:{webPort}", delivery.Assessment, delivery.Id, delivery.Commit);
                    using var response = await http.SendAsync(request, token);
                    if (response.IsSuccessStatusCode)
                    {
                        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token)).RootElement;
                        answers.Add((delivery.Id, answer.GetProperty("status").GetString()!));
                        return;
                    }

                    errors.Add($"{(int)response.StatusCode}");
                }
                catch (HttpRequestException e)
                {
                    errors.Add(e.Message);
                }

                Assert.True(giveUp.Elapsed < TimeSpan.FromMinutes(2), $"delivery {delivery.Id} got no 2xx in 2 minutes: {string.Join("; ", errors.Take(5))}");
                await Task.Delay(200, token);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await cluster.StartAgainAsync(ct);

        // A second push once it is back, on top of the first: reconciliation, which reads only the
        // newest head, could no longer find the first one.
        var second = Commit(clone, "second");
        PushUntilAccepted(clone);
        await sending;

        // Errors were answered while the database was down, and no delivery was lost to them.
        Assert.NotEmpty(errors);
        Assert.Equal(Deliveries, answers.Count(a => a.Status == "recorded"));
        Assert.Equal(sends.Count - Deliveries, answers.Count(a => a.Status == "duplicate"));

        await using var db = MigratedDatabase.Context(connectionString);
        var waited = Stopwatch.StartNew();
        while (await db.Submissions.CountAsync(s => s.AssessmentId == builtIn, ct) < 2 && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(250, ct);
        }

        var pushed = await db.Submissions.Where(s => s.AssessmentId == builtIn).Select(s => s.CommitSha).ToListAsync(ct);
        Assert.Equal(new[] { first, second }.Order(), pushed.Order());
        foreach (var delivery in deliveries)
        {
            Assert.Equal(1, await db.WebhookDeliveries.CountAsync(d => d.DeliveryId == delivery.Id, ct));
            Assert.Equal(1, await db.Submissions.CountAsync(s => s.AssessmentId == delivery.Assessment.Id && s.CommitSha == delivery.Commit, ct));
        }

        // One queued grading per submission, each given its Hangfire job by the web process's
        // dispatcher once the database was back.
        var submissions = Deliveries + 2;
        while (await db.GradingRuns.CountAsync(r => r.HangfireJobId != null, ct) < submissions && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(250, ct);
        }

        Assert.Equal(submissions, await db.Submissions.CountAsync(ct));
        Assert.Equal(submissions, await db.GradingRuns.CountAsync(ct));
        Assert.Equal(submissions, await db.GradingRuns.CountAsync(r => r.HangfireJobId != null, ct));
        data.Delete(recursive: true);
    }

    /// <summary>Commits a change to the clone; returns the commit's id.</summary>
    private static string Commit(string clone, string text)
    {
        File.WriteAllText(Path.Combine(clone, "NOTES.md"), $"{text}\n");
        GitCommand.Succeed(clone, "add", "--all");
        GitCommand.Succeed(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", text);
        return GitCommand.Succeed(clone, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Pushes as a candidate would after an error: again, until git accepts it.</summary>
    private static void PushUntilAccepted(string clone)
    {
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            var (exit, output) = GitCommand.Run(clone, "push", "--quiet", "origin", "main");
            if (exit == 0)
            {
                return;
            }

            Assert.True(giveUp.Elapsed < TimeSpan.FromMinutes(1), $"git push was refused for a minute: {output}");
            Thread.Sleep(500);
        }
    }

    /// <summary>Waits until this process has a child running <paramref name="program"/>.</summary>
    private static async Task WaitForChildAsync(string program, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
            {
                try
                {
                    // stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
                    var stat = await File.ReadAllTextAsync(Path.Combine(folder, "stat"), ct);
                    var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (parent == Environment.ProcessId && (await File.ReadAllTextAsync(Path.Combine(folder, "cmdline"), ct)).Contains(program, StringComparison.Ordinal))
                    {
                        return;
                    }
                }
                catch (IOException)
                {
                    // The process ended while it was read.
                }
            }

            await Task.Delay(50, ct);
        }

        Assert.Fail($"no {program} was started");
    }
}
