using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Runner.Submissions;
using Assessments.Scenarios;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Sandbox;
using Hangfire;
using Npgsql;

namespace Assessments.Web.Features.Grading;

/// <summary>Grades one submission: loads it, reads its commit (links never followed, limits checked
/// first), runs the scenario version's plan in the Docker sandbox, and stores the report with its
/// rows. Safe to run again: a completed grading is left alone and a rerun replaces every row of the
/// run in one transaction. A submission that is no longer its assessment's newest is marked
/// superseded instead of graded, unless it is the final one. A sandbox error (ours) is retried; a
/// candidate's failure is a verdict and is not.</summary>
public sealed class GradingJob(
    AssessmentsDbContext db,
    SandboxRuntime sandbox,
    GradingEngine engine,
    IEnumerable<ICandidateRepositories> repositories,
    IOptions<SandboxOptions> sandboxOptions,
    NpgsqlDataSource dataSource,
    OperationsMetrics metrics,
    ILogger<GradingJob> logger)
{
    /// <summary>Runs before a sandbox error becomes the grading's final verdict.</summary>
    public const int MaxAttempts = 3;

    private const int LogCap = 64 * 1024;

    private const int MessageCap = 4000;

    [Queue(JobQueues.Grading)]
    [AutomaticRetry(Attempts = MaxAttempts - 1, DelaysInSeconds = [10, 60], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid gradingRunId, CancellationToken cancellationToken)
    {
        var run = await db.GradingRuns
            .Include(r => r.Submission).ThenInclude(s => s!.Assessment).ThenInclude(a => a!.Organisation)
            .Include(r => r.ScenarioVersion).ThenInclude(v => v!.Archive)
            .SingleOrDefaultAsync(r => r.Id == gradingRunId, cancellationToken);
        if (run is null || run.Status is GradingStatus.Completed or GradingStatus.Superseded or GradingStatus.Cancelled)
        {
            return;
        }

        var submission = run.Submission ?? throw new InvalidOperationException($"Grading {run.Id} has no submission.");
        using var scope = OperationsTelemetry.TagGrading(logger, run);
        submission.Message ??= await CommitMessageAsync(submission, cancellationToken);
        if (!submission.IsFinal && run.RequestedBy is null && await IsSupersededAsync(submission, cancellationToken))
        {
            run.Status = GradingStatus.Superseded;
            run.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Grading {GradingRunId} superseded: a newer push of assessment {AssessmentId} is waiting", run.Id, submission.AssessmentId);
            return;
        }

        run.Attempt++;
        run.Status = GradingStatus.Running;
        run.StartedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        await StageRecorder.NotifyAsync(dataSource, run.Id, cancellationToken);

        var log = new StringBuilder();
        Graded graded;
        try
        {
            graded = await GradeAsync(run, submission, log, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The engine, the sandbox or a file went away: ours, so the job is retried.
            var diskFull = IsDiskFull(e);
            metrics.SandboxError(diskFull ? "disk-full" : e.GetType().Name);
            if (diskFull)
            {
                log.AppendLine($"Sandbox error: the worker's disk is full. The grading writes its offline package feed and build cache under {sandboxOptions.Value.CacheFolder} (Sandbox:CacheFolder); free space there. It is retried, up to {MaxAttempts} attempts.");
            }

            await FinishAsync(run, null, [], log.Append(e.ToString()), lastAttempt: run.Attempt >= MaxAttempts, cancellationToken);
            throw;
        }

        var report = graded.Report;
        var retry = report.Verdict == Verdict.SandboxError && run.Attempt < MaxAttempts;
        if (report.Verdict == Verdict.SandboxError)
        {
            metrics.SandboxError(OperationsMetrics.Cause(report));
        }

        await FinishAsync(run, report, graded.Files, log, lastAttempt: !retry, cancellationToken);
        if (retry)
        {
            throw new SandboxErrorException($"Grading {run.Id} attempt {run.Attempt}: sandbox error at {report.Stage}: {report.Message}");
        }
    }

    /// <summary>Whether <paramref name="e"/> or what it wraps says the disk is full: an I/O error
    /// with ENOSPC (28) on the worker itself, or the message of a tool (a restore) that hit it.</summary>
    private static bool IsDiskFull(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if ((inner is IOException { HResult: 28 }) || inner.Message.Contains("No space left on device", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> IsSupersededAsync(Submission submission, CancellationToken cancellationToken) =>
        await db.Submissions.AnyAsync(s => s.AssessmentId == submission.AssessmentId
            && (s.ReceivedAt > submission.ReceivedAt || (s.ReceivedAt == submission.ReceivedAt && s.Id.CompareTo(submission.Id) > 0)), cancellationToken);

    /// <summary>A report with the texts of the files it lists as changed.</summary>
    private sealed record Graded(GradingReport Report, IReadOnlyList<GradingFile> Files);

    private async Task<Graded> GradeAsync(GradingRun run, Submission submission, StringBuilder log, CancellationToken cancellationToken)
    {
        var version = run.ScenarioVersion ?? throw new InvalidOperationException($"Grading {run.Id} has no scenario version.");
        var archive = version.Archive ?? throw new InvalidOperationException($"Scenario version {version.ContentHash[..12]} has no stored archive.");
        var loaded = await ScenarioPackage.LoadArchiveAsync(new MemoryStream(archive.Archive), $"version {version.ContentHash[..12]}", cancellationToken);
        var package = loaded.Package ?? throw new InvalidOperationException($"The stored archive of {version.ContentHash[..12]} does not load: {string.Join("; ", loaded.Errors)}");
        var subject = new SubjectRef(SubjectKind.Candidate, $"submission {submission.Id}", submission.CommitSha);
        var started = DateTimeOffset.UtcNow;
        // Ours first: a missing image or engine is retried, and says nothing about the candidate.
        var hosts = await sandbox.HostsAsync(LiveGradings.Owner(run.Id, run.Attempt), cancellationToken);
        // An earlier attempt whose worker died or lost the engine may have left containers running
        // the candidate's code; this attempt is now the live one, so they go before it starts.
        await sandbox.ReapAbandonedAsync(db, cancellationToken);

        CandidateTree tree;
        try
        {
            tree = await ReadTreeAsync(submission, cancellationToken);
        }
        catch (CandidateTreeException e)
        {
            return new Graded(GradingReports.Refused(package, subject, "fetch", e.Message, started), []);
        }

        foreach (var link in tree.SkippedLinks)
        {
            log.AppendLine($"left out (a link or submodule, never followed): {link}");
        }

        await using var host = await hosts.CreateAsync(package, candidateSubmission: true, cancellationToken);
        GradingReport report;
        await using (var progress = new StageRecorder(dataSource, run.Id, run.Attempt, log, LogCap, logger, OperationsTelemetry.GradingTags(run)))
        {
            report = await engine.RunAsync(new GradingRequest(package, tree.Files, subject), host, cancellationToken, progress);
        }

        return new Graded(report, GradingFiles.From(run.Id, report.Changes, package.TemplateFiles, tree.Files));
    }

    /// <summary>The pushed commit's message for the reviewer's timeline, capped; a repository that
    /// cannot say costs the timeline a line, never the grading.</summary>
    private async Task<string?> CommitMessageAsync(Submission submission, CancellationToken cancellationToken)
    {
        try
        {
            var message = await repositories.For(submission.Assessment!.RepositoryHost).CommitMessageAsync(Repository(submission), submission.CommitSha, cancellationToken);
            return message is { Length: > MessageCap } ? message[..MessageCap] : message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not read the message of commit {Commit}", submission.CommitSha);
            return null;
        }
    }

    private static CandidateRepository Repository(Submission submission)
    {
        var assessment = submission.Assessment ?? throw new InvalidOperationException($"Submission {submission.Id} has no assessment.");
        var organisation = assessment.Organisation ?? throw new InvalidOperationException($"Assessment {assessment.Id} has no organisation.");
        return new CandidateRepository(assessment.Id, organisation.Slug, assessment.Slug, assessment.RepositoryHost, assessment.ExternalRepositoryId);
    }

    private async Task<CandidateTree> ReadTreeAsync(Submission submission, CancellationToken cancellationToken)
    {
        return await repositories.For(submission.Assessment!.RepositoryHost).ReadTreeAsync(Repository(submission), submission.CommitSha, sandboxOptions.Value.Tree, cancellationToken);
    }

    private async Task FinishAsync(GradingRun run, GradingReport? report, IReadOnlyList<GradingFile> files, StringBuilder log, bool lastAttempt, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Replaced as a whole: a rerun never leaves rows of an earlier attempt beside its own.
        await StoredReports.ReplaceAsync(db, run, report, cancellationToken);
        await db.GradingFiles.Where(f => f.GradingRunId == run.Id).ExecuteDeleteAsync(cancellationToken);
        db.GradingFiles.AddRange(files);
        var text = log.ToString();
        run.Log = text.Length > LogCap ? text[..LogCap] : text;
        run.LogTruncated = text.Length > LogCap;
        run.Status = report is not null && report.Verdict != Verdict.SandboxError ? GradingStatus.Completed
            : lastAttempt ? GradingStatus.Failed
            : GradingStatus.Queued;
        run.FinishedAt = run.Status is GradingStatus.Completed or GradingStatus.Failed ? DateTimeOffset.UtcNow : null;
        if (run.FinishedAt is not null && run.Submission is { Assessment: { } assessment } submission)
        {
            // The assessment decides what its grading's end means for it (decision 015).
            // One that becomes ready for review queues its reviewers' mail as it is saved (Data/ReviewReadyMail).
            assessment.GradingEnded(submission);
        }

        await db.SaveChangesAsync(cancellationToken);
        // Delivered at commit, with the rows: a page that hears it finds the finished grading.
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({StageRecorder.Channel}, {run.Id.ToString()})", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (run.FinishedAt is { } finished)
        {
            metrics.GradingFinished(GradingKind.Candidate, run.Verdict ?? GradingVerdict.SandboxError, finished - run.Submission!.ReceivedAt);
        }
    }
}

/// <summary>The sandbox failed on our side; the job is retried.</summary>
public sealed class SandboxErrorException(string message) : Exception(message);
