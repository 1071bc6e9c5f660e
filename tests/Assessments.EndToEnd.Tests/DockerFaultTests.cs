using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;
using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Assessments.EndToEnd.Tests;

/// <summary>A grading whose worker, engine or disk fails under it, on real parts: a worker process
/// grading the scaffold's template in the Docker sandbox of an engine of the tests' own
/// (<see cref="FaultEngine"/>), against a PostgreSQL cluster of each test's own. Each fault ends
/// in a sandbox error or a lost attempt, never in the candidate's failure; the grading is retried
/// and the report shown is the one of the attempt that finished.</summary>
public sealed class DockerFaultTests(FaultEngine engine) : IClassFixture<FaultEngine>
{
    /// <summary>The shortest invisibility the options accept: a job whose worker died waits this long.</summary>
    private static readonly (string, string) ShortInvisibility = ("Jobs__InvisibilityTimeout", "00:00:30");

    [Fact]
    public async Task AWorkerKilledMidGradingLosesItsAttemptToAnotherWorkerAndLeavesNothingBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var grading = await FaultGrading.SeedAsync("worker-killed", ct);
        var first = await grading.StartWorkerAsync(engine, ct, ShortInvisibility);

        // Killed once the candidate's side runs: the grading has containers and is well under way.
        await grading.WaitAsync(() => grading.ReachedAsync(1, StageSide.Candidate, ct), "the first attempt at the candidate's side", ct);
        first.Kill();
        var deadAttempt = new SandboxOwner(grading.RunId.ToString("D"), 1);
        var abandoned = (await engine.SandboxContainersAsync(ct)).Where(c => SandboxOwner.From(c.Labels) == deadAttempt).ToList();
        Assert.Contains(abandoned, c => c.State == "running" && c.Labels[SandboxLabels.Side] == "candidate");

        var second = await grading.StartWorkerAsync(engine, ct, ShortInvisibility);
        var run = await grading.WaitForEndAsync(ct);
        Assert.True((GradingStatus.Completed, 2, GradingVerdict.TestsFailed) == (run.Status, run.Attempt, run.Verdict), $"{run.Status} {run.Attempt} {run.Verdict}: {run.Log}\n{second.StandardError}");

        // Exactly one report, the finished attempt's, and its rows once.
        var report = GradingReport.FromJson(run.Report!);
        await using (var db = grading.Context())
        {
            Assert.Equal(report.Tests.Count, await db.TestResults.CountAsync(t => t.GradingRunId == run.Id, ct));
            Assert.Equal(report.Metrics.Count, await db.MetricSamples.CountAsync(m => m.GradingRunId == run.Id, ct));
        }

        // Hangfire ran the job twice: the dead worker's fetch ran out and the other one took it.
        var servers = grading.Monitoring().JobDetails(run.HangfireJobId).History
            .Where(h => h.StateName == "Processing").Select(h => h.Data["ServerId"]).Reverse().ToList();
        Assert.Equal(2, servers.Count);
        Assert.Contains($":{first.ProcessId}:", servers[0], StringComparison.Ordinal);
        Assert.Contains($":{second.ProcessId}:", servers[1], StringComparison.Ordinal);

        // The retry reaped the dead attempt as it began: no container of it, no volume.
        await second.WaitForOutputAsync($"Reaped {abandoned.Count} abandoned sandbox container(s)", TimeSpan.FromSeconds(10));
        Assert.Empty(await engine.SandboxContainersAsync(ct));
        Assert.Empty(await engine.VolumesOtherThanCachesAsync(ct));
    }

    [Fact]
    public async Task AnEngineRestartedMidGradingIsASandboxErrorAndTheRetrysReportIsTheOneShown()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var grading = await FaultGrading.SeedAsync("engine-restarted", ct);
        var worker = await grading.StartWorkerAsync(engine, ct);

        await grading.WaitAsync(() => grading.ReachedAsync(1, StageSide.Candidate, ct), "the first attempt at the candidate's side", ct);
        await engine.StopAsync(ct);
        await engine.StartAsync(ct);

        var run = await grading.WaitForEndAsync(ct, engine.Log);
        Assert.True((GradingStatus.Completed, 2, GradingVerdict.TestsFailed) == (run.Status, run.Attempt, run.Verdict), $"{run.Status} {run.Attempt} {run.Verdict}: {run.Log}\n{worker.StandardError}");
        var report = GradingReport.FromJson(run.Report!);
        Assert.Equal(Verdict.TestsFailed, report.Verdict);
        Assert.DoesNotContain("Exception", run.Log ?? "", StringComparison.Ordinal);

        // The first attempt ended as ours, not the candidate's: retried by Hangfire with the reason.
        // (The job's success is recorded just after the grading's rows are.)
        await grading.WaitAsync(() => Task.FromResult(grading.Monitoring().JobDetails(run.HangfireJobId).History[0].StateName == "Succeeded"), "the job succeeded", ct);
        var history = grading.Monitoring().JobDetails(run.HangfireJobId).History.Reverse().ToList();
        var states = string.Join(" ", history.Select(h => $"{h.StateName}({h.Reason})"));
        Assert.True(history.Select(h => h.StateName).SequenceEqual(["Enqueued", "Processing", "Failed", "Scheduled", "Enqueued", "Processing", "Succeeded"]), states);
        // The engine's socket went away under the exec streams (or a later call found it refusing).
        Assert.True(history[2].Data["ExceptionType"] is "System.Net.Http.HttpRequestException" or "System.IO.IOException"
            or "Docker.DotNet.DockerApiException" or "Assessments.Web.Features.Grading.SandboxErrorException", states + history[2].Data["ExceptionDetails"]);
        Assert.StartsWith("Retry attempt 1 of 2", history[3].Reason, StringComparison.Ordinal);

        // The report's rows are the retry's alone, and nothing of either attempt is left on the engine.
        await using (var db = grading.Context())
        {
            Assert.Equal(report.Tests.Count, await db.TestResults.CountAsync(t => t.GradingRunId == run.Id, ct));
        }

        Assert.Empty(await engine.SandboxContainersAsync(ct));
    }

    [Fact]
    public async Task AFullDiskMidGradingIsAClearSandboxErrorThatLeavesNoHalfWrittenRowsAndIsRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var grading = await FaultGrading.SeedAsync("disk-full", ct);
        // A cache folder of its own on a small file system: the scenario's offline feed (about
        // 100 MB of packages) fills it while the grading restores it.
        await using var disk = await SmallDisk.MountAsync(Path.Combine(grading.Folder, "cache"), "24m");
        var worker = await grading.StartWorkerAsync(engine, ct, ("Sandbox__CacheFolder", disk.Path));

        await grading.WaitAsync(async () => await grading.RunAsync(ct) is { Attempt: 1, Status: GradingStatus.Queued }, "the first attempt ended", ct);
        var failed = await grading.RunAsync(ct);
        Assert.True(failed.Log?.StartsWith($"Sandbox error: the worker's disk is full. The grading writes its offline package feed and build cache under {disk.Path} (Sandbox:CacheFolder)", StringComparison.Ordinal) == true, failed.Log);
        Assert.Contains("No space left on device", failed.Log, StringComparison.Ordinal);
        Assert.Null(failed.Report);
        Assert.Null(failed.Verdict);
        await using (var db = grading.Context())
        {
            Assert.False(await db.TestResults.AnyAsync(t => t.GradingRunId == failed.Id, ct));
            Assert.False(await db.GradingFiles.AnyAsync(f => f.GradingRunId == failed.Id, ct));
        }

        // Nothing half-written in the cache either: no staging folder, no feed that claims to be complete.
        Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(disk.Path, ".complete", SearchOption.AllDirectories));

        // Room again: the retry grades.
        await disk.GrowAsync("2g");
        var run = await grading.WaitForEndAsync(ct);
        Assert.True((GradingStatus.Completed, 2, GradingVerdict.TestsFailed) == (run.Status, run.Attempt, run.Verdict), $"{run.Status} {run.Attempt} {run.Verdict}: {run.Log}\n{worker.StandardError}");
    }
}
