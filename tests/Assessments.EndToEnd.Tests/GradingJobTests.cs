using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Repositories;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.EndToEnd.Tests;

/// <summary>A stored submission of a built-in repository, queued by the web role and graded by a
/// worker process in the Docker sandbox: the report is stored with its image digest and the
/// isolation read inside the containers, and its tests and metrics become rows.</summary>
public sealed class GradingJobTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task AQueuedSubmissionIsGradedInTheSandboxAndItsReportStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("grading-job-");
        var repositories = Path.Combine(data.FullName, "repositories");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = database.ConnectionString,
            ["Repositories__Root"] = repositories,
            ["Sandbox__CacheFolder"] = Path.Combine(Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath(), "sandbox-cache"),
        };
        var port = AssessProcess.FreePort();
        await using var worker = AssessProcess.Start(environment, "worker", "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await using var web = AssessmentsWebApplication.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--ConnectionStrings:Assessments={database.ConnectionString}",
                "--Web:PublicBaseUrl=http://127.0.0.1:1",
                $"--Repositories:Root={repositories}",
                "--Logging:LogLevel:Default=Warning",
            ],
            ServerRoles.Web);
        await web.StartAsync(ct);

        // A scenario version, an assessment on the built-in host, and a candidate's push of the fix.
        var library = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", library, ct);
        var package = ScenarioPackage.Load(library).GetPackageOrThrow(library);
        Guid submissionId;
        await using (var scope = web.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            await new ScenarioImporter(db).ImportAsync(package, ct);
            var version = await db.ScenarioVersions.SingleAsync(v => v.ContentHash == package.ContentHash, ct);
            var organisation = new Organisation { Slug = $"org-{Guid.NewGuid():N}"[..16], Name = "Acme" };
            db.Organisations.Add(organisation);
            var assessment = new Assessment
            {
                OrganisationId = organisation.Id,
                Candidate = new Candidate { OrganisationId = organisation.Id, Name = "Ada", Email = $"ada-{Guid.NewGuid():N}@example.com" },
                ScenarioVersionId = version.Id,
                Slug = $"ada-{Guid.NewGuid():N}"[..16],
                Status = AssessmentStatus.Started,
                StartedAt = DateTimeOffset.UtcNow,
                RepositoryHost = RepositoryHost.BuiltIn,
                Deadline = DateTimeOffset.UtcNow.AddHours(4),
            };
            db.Assessments.Add(assessment);
            await db.SaveChangesAsync(ct);

            var bare = new RepositoryOptions { Root = repositories }.PathOf(organisation.Slug, assessment.Slug);
            Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
            await TemplateRepository.SeedAsync(package, bare, "main", ct);
            var commit = PushFix(bare, package, Path.Combine(data.FullName, "clone"));

            var submission = new Submission { AssessmentId = assessment.Id, CommitSha = commit, Source = SubmissionSource.BuiltInPush };
            db.Submissions.Add(submission);
            await db.SaveChangesAsync(ct);
            submissionId = submission.Id;
        }

        Guid runId;
        await using (var scope = web.Services.CreateAsyncScope())
        {
            runId = await scope.ServiceProvider.GetRequiredService<GradingQueue>().EnqueueAsync(submissionId, ct);
        }

        var run = await WaitForGradingAsync(web, runId, worker, ct);
        Assert.True(run.Status == GradingStatus.Completed, $"{run.Status}: {run.Log}\n{worker.StandardError}");
        Assert.Equal(Verdict.Passed, run.Verdict);
        Assert.Equal(1, run.Attempt);
        Assert.StartsWith("sha256:", run.ImageDigest);

        var report = GradingReport.FromJson(run.Report!);
        Assert.Equal(run.ImageDigest, report.Environment.ImageDigest);
        Assert.Equal("docker", report.Environment.Host);
        Assert.Equal("lo", report.Environment.Isolation["candidate.network"]);
        Assert.Equal("10002", report.Environment.Isolation["candidate.uid"]);
        Assert.Equal(SubjectKind.Candidate, report.Subject.Kind);

        Assert.Equal(report.Tests.Count, run.Tests.Count);
        Assert.Contains(run.Tests, t => t.Visibility == TestVisibility.Hidden && t.Name == "main: GreetingTakesOneStatement" && t.Status == TestStatus.Pass);
        var primary = Assert.Single(run.Metrics, m => m.IsPrimary);
        Assert.Equal("statements_per_request", primary.Key);
        Assert.Equal(1, primary.CandidateValue);

        // The worker's readiness names the isolation its containers report.
        var readyz = JsonDocument.Parse(await http.GetStringAsync("/readyz", ct)).RootElement;
        var sandbox = readyz.GetProperty("checks").GetProperty("sandbox");
        Assert.Equal("Healthy", sandbox.GetProperty("status").GetString());
        Assert.Equal("lo", sandbox.GetProperty("data").GetProperty("candidate.network").GetString());

        await web.StopAsync(ct);
        data.Delete(recursive: true);
    }

    private static string PushFix(string bare, ScenarioPackage package, string clone)
    {
        Git(Path.GetDirectoryName(clone)!, "clone", "--quiet", bare, clone);
        foreach (var file in package.SolutionFiles)
        {
            var path = Path.Combine(clone, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }

        Git(clone, "add", "--all");
        Git(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "One statement per greeting; the counter in the database");
        Git(clone, "push", "--quiet", "origin", "main");
        return Git(clone, "rev-parse", "HEAD").Trim();
    }

    private static string Git(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    private static async Task<GradingRun> WaitForGradingAsync(Microsoft.AspNetCore.Builder.WebApplication web, Guid runId, AssessProcess worker, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = web.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var run = await db.GradingRuns.AsNoTracking().Include(r => r.Tests).Include(r => r.Metrics).SingleAsync(r => r.Id == runId, ct);
            if (run.Status is GradingStatus.Completed or GradingStatus.Failed)
            {
                return run;
            }

            Assert.False(worker.HasExited, $"The worker exited.\n{worker.StandardError}\n{worker.StandardOutput}");
            await Task.Delay(1000, ct);
        }

        Assert.Fail($"Grading {runId} did not finish within 6 minutes.\nworker stdout:\n{worker.StandardOutput}\nworker stderr:\n{worker.StandardError}");
        return null!;
    }
}
