using System.Net;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Common;
using Assessments.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.EndToEnd.Tests;

/// <summary>The whole path of a candidate's work: an operator invites and starts an assessment
/// with the command line, the candidate clones and pushes the fix with the real git client over
/// the built-in git host, the push becomes a submission and its grading goes through the outbox to
/// a worker process, which grades it in the Docker sandbox; the report is stored with its image
/// digest and the isolation read inside the containers. Once closed, the repository refuses pushes
/// with a message the git client prints.</summary>
public sealed class GradingJobTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task ACandidatesPushIsRecordedGradedInTheSandboxAndItsReportStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("grading-job-");
        var repositories = Path.Combine(data.FullName, "repositories");
        var webPort = AssessProcess.FreePort();
        var webUrl = $"http://127.0.0.1:{webPort}";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = database.ConnectionString,
            ["Repositories__Root"] = repositories,
            ["Web__PublicBaseUrl"] = webUrl,
            ["Sandbox__CacheFolder"] = Path.Combine(Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath(), "sandbox-cache"),
        };
        var port = AssessProcess.FreePort();
        await using var worker = AssessProcess.Start(environment, "worker", "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await using var web = AssessmentsWebApplication.Build(
            [
                $"--urls={webUrl}",
                $"--ConnectionStrings:Assessments={database.ConnectionString}",
                $"--Web:PublicBaseUrl={webUrl}",
                $"--Repositories:Root={repositories}",
                "--Logging:LogLevel:Default=Warning",
            ],
            ServerRoles.Web);
        await web.StartAsync(ct);

        // A scenario version in the organisation's library.
        var library = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", library, ct);
        var package = ScenarioPackage.Load(library).GetPackageOrThrow(library);
        await using (var scope = web.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            await new ScenarioImporter(db).ImportAsync(package, ct);
            db.Organisations.Add(new Organisation { Slug = "acme", Name = "Acme" });
            await db.SaveChangesAsync(ct);
        }

        // Nobody verified it yet: no invitation, and the operator is told how.
        string[] inviteAda = ["assessment", "invite", "--scenario", "greeting", "--candidate", "ada@example.com", "--name", "Ada Lovelace", "--time-limit", "4h", "--json"];
        var refused = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), inviteAda);
        Assert.True(refused.ExitCode != 0 && refused.Stderr.Contains("is not verified") && refused.Stderr.Contains("assess verification queue greeting"), $"{refused.Stdout}\n{refused.Stderr}");

        // Verified by the worker, in the sandbox, on the image it reported when it started.
        var verify = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(15), "verification", "queue", "greeting", "--wait");
        Assert.True(verify.ExitCode == 0, $"{verify.Stdout}\n{verify.Stderr}\n{worker.StandardError}");
        await using (var scope = web.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var verification = await db.ScenarioVerifications.Include(v => v.ScenarioVersion).Include(v => v.Gradings).SingleAsync(ct);
            Assert.Equal(ScenarioVerificationStatus.Verified, verification.Status);
            Assert.Equal((await db.CurrentSandboxImageAsync(ct))!.ImageId, verification.ImageId);
            Assert.Equal(verification.FinishedAt, verification.ScenarioVersion!.VerifiedAt);
            Assert.Empty(verification.Problems);
            Assert.Equal(["solution", "template", "variant:shallow"], verification.Gradings.Select(g => g.Subject).Order());
            Assert.All(verification.Gradings, g =>
            {
                Assert.Equal((GradingKind.Verification, GradingStatus.Completed, verification.ImageId), (g.Kind, g.Status, g.ImageDigest));
                Assert.Equal(g.Subject, GradingReport.FromJson(g.Report!).Subject.Tree);
            });
            var solution = verification.Gradings.Single(g => g.Subject == "solution").Id;
            Assert.True(await db.GradingStageEvents.CountAsync(e => e.GradingRunId == solution, ct) > 4, "the solution's stages were not recorded for the live display");
            Assert.Equal(1, await db.MetricSamples.CountAsync(m => m.GradingRunId == solution && m.IsPrimary && m.CandidateValue == 1 && m.BaselineValue == 10, ct));
        }

        // The operator's side: invite, then start on the candidate's behalf.
        var invite = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), inviteAda);
        Assert.True(invite.ExitCode == 0 && invite.Stdout.TrimStart().StartsWith('{'), $"{invite.Stdout}\n{invite.Stderr}");
        Assert.DoesNotContain("warning", invite.Stderr);
        var assessmentId = JsonDocument.Parse(invite.Stdout).RootElement.GetProperty("assessmentId").GetGuid();
        var start = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "start", assessmentId.ToString(), "--json");
        Assert.True(start.ExitCode == 0 && start.Stdout.TrimStart().StartsWith('{'), $"{start.Stdout}\n{start.Stderr}");
        var started = JsonDocument.Parse(start.Stdout).RootElement;
        var cloneUrl = new UriBuilder(started.GetProperty("cloneUrl").GetString()!)
        {
            UserName = started.GetProperty("username").GetString(),
            Password = started.GetProperty("token").GetString(),
        }.Uri.ToString();

        // The candidate's side: clone, fix, push.
        var commit = PushFix(cloneUrl, package, Path.Combine(data.FullName, "clone"));

        var run = await WaitForGradingAsync(web, assessmentId, worker, ct);
        Assert.True(run.Status == GradingStatus.Completed, $"{run.Status}: {run.Log}\n{worker.StandardError}");
        Assert.Equal(commit, run.Submission!.CommitSha);
        Assert.Equal(SubmissionSource.BuiltInPush, run.Submission.Source);
        Assert.Equal(GradingVerdict.Passed, run.Verdict);
        Assert.Equal(1, run.Attempt);
        Assert.StartsWith("sha256:", run.ImageDigest);

        var report = GradingReport.FromJson(run.Report!);
        Assert.Equal(run.ImageDigest, report.Environment.ImageDigest);
        Assert.Equal("docker", report.Environment.Host);
        Assert.Equal("lo", report.Environment.Isolation["candidate.network"]);
        Assert.Equal("10002", report.Environment.Isolation["candidate.uid"]);
        Assert.Equal(SubjectKind.Candidate, report.Subject.Kind);

        Assert.Equal(report.Tests.Count, run.Tests.Count);
        Assert.Contains(run.Tests, t => t.Visibility == TestResultVisibility.Hidden && t.Name == "main: GreetingTakesOneStatement" && t.Status == TestResultStatus.Pass);
        var primary = Assert.Single(run.Metrics, m => m.IsPrimary);
        Assert.Equal("statements_per_request", primary.Key);
        Assert.Equal(1, primary.CandidateValue);

        // The worker is ready, and tells an anonymous caller no more than that: the isolation
        // details are for operators.
        var readyz = JsonDocument.Parse(await http.GetStringAsync("/readyz", ct)).RootElement;
        Assert.Equal("Healthy", readyz.GetProperty("status").GetString());
        Assert.False(readyz.TryGetProperty("checks", out _), readyz.ToString());

        // Closed: the pushed commit is final, and the repository takes nothing more.
        var close = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "close", assessmentId.ToString());
        Assert.True(close.ExitCode == 0, close.Stderr);
        var show = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "show", assessmentId.ToString());
        Assert.Contains($"{commit[..12]}", show.Stdout);
        Assert.Contains("BuiltInPush final", show.Stdout);
        // Its grading was done already: nothing left to wait for.
        Assert.Contains("ReadyForReview", show.Stdout);
        var clone = Path.Combine(data.FullName, "clone");
        File.WriteAllText(Path.Combine(clone, "LATE.md"), "too late\n");
        GitCommand.Succeed(clone, "add", "--all");
        GitCommand.Succeed(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "Too late");
        var (exitCode, output) = GitCommand.Run(clone, "push", "origin", "main");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("remote: Assessments: this assessment is closed; pushes are no longer accepted.", output);

        await web.StopAsync(ct);
        data.Delete(recursive: true);
    }

    private static string PushFix(string url, ScenarioPackage package, string clone)
    {
        GitCommand.Succeed(Path.GetDirectoryName(clone)!, "clone", "--quiet", url, clone);
        foreach (var file in package.SolutionFiles)
        {
            var path = Path.Combine(clone, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }

        GitCommand.Succeed(clone, "add", "--all");
        GitCommand.Succeed(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "One statement per greeting; the counter in the database");
        GitCommand.Succeed(clone, "push", "--quiet", "origin", "main");
        return GitCommand.Succeed(clone, "rev-parse", "HEAD").Trim();
    }

    private static async Task<GradingRun> WaitForGradingAsync(Microsoft.AspNetCore.Builder.WebApplication web, Guid assessmentId, AssessProcess worker, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = web.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var run = await db.GradingRuns.AsNoTracking().Include(r => r.Tests).Include(r => r.Metrics).Include(r => r.Submission)
                .SingleOrDefaultAsync(r => r.Submission!.AssessmentId == assessmentId, ct);
            if (run?.Status is GradingStatus.Completed or GradingStatus.Failed)
            {
                return run;
            }

            Assert.False(worker.HasExited, $"The worker exited.\n{worker.StandardError}\n{worker.StandardOutput}");
            await Task.Delay(1000, ct);
        }

        Assert.Fail($"The grading of assessment {assessmentId}'s push did not finish within 6 minutes.\nworker stdout:\n{worker.StandardOutput}\nworker stderr:\n{worker.StandardError}");
        return null!;
    }
}
