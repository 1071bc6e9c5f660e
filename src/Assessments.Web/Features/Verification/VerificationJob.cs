using System.Diagnostics;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Runner.Verification;
using Assessments.Scenarios;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Sandbox;
using Hangfire;
using Npgsql;

namespace Assessments.Web.Features.Verification;

/// <summary>Verifies a scenario version on the workers, in the sandbox: the same verifier as
/// <c>assess scenario verify</c>, each of its gradings recorded as a <see cref="GradingRun"/> with
/// live progress and its report. The outcome is stored with the image it ran on; a verified one
/// sets <see cref="ScenarioVersion.VerifiedAt"/>. A sandbox error (ours) is retried and, on the last
/// attempt, leaves the verification failed, never "not verified": that would blame the package.</summary>
public sealed class VerificationJob(
    AssessmentsDbContext db,
    SandboxRuntime sandbox,
    GradingEngine engine,
    IOptions<SandboxOptions> sandboxOptions,
    NpgsqlDataSource dataSource,
    OperationsMetrics metrics,
    ILogger<VerificationJob> logger)
{
    public const int MaxAttempts = 2;

    private const int ErrorCap = 4000;

    [Queue(JobQueues.Grading)]
    [AutomaticRetry(Attempts = MaxAttempts - 1, DelaysInSeconds = [60], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid verificationId, CancellationToken cancellationToken)
    {
        var verification = await db.ScenarioVerifications
            .Include(v => v.ScenarioVersion).ThenInclude(v => v!.Archive)
            .Include(v => v.ScenarioVersion).ThenInclude(v => v!.Scenario)
            .SingleOrDefaultAsync(v => v.Id == verificationId, cancellationToken);
        if (verification is null || verification.IsFinished)
        {
            return;
        }

        var version = verification.ScenarioVersion!;
        Activity.Current?.SetTag(OperationsTelemetry.VerificationId, verification.Id.ToString());
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["VerificationId"] = verification.Id });
        verification.Attempt++;
        verification.Status = ScenarioVerificationStatus.Running;
        verification.StartedAt = DateTimeOffset.UtcNow;
        verification.Error = null;
        verification.Problems = [];
        await db.SaveChangesAsync(cancellationToken);

        VerificationResult result;
        try
        {
            var package = await LoadAsync(version, cancellationToken);
            var image = await sandbox.ImageAsync(cancellationToken);
            await SandboxImages.RecordAsync(db, image, current: false, cancellationToken);
            verification.ImageId = image.Id;
            await db.SaveChangesAsync(cancellationToken);

            var hosts = await sandbox.HostsAsync(cancellationToken);
            await using var recorder = new VerificationRecorder(db, dataSource, verification, metrics, logger);
            result = await new ScenarioVerifier(engine, hosts, sandboxOptions.Value.VerificationVariantsAtOnce, recorder).VerifyAsync(package, cancellationToken);
            // Ours, not the package's: retried, and never stored as "not verified".
            var broken = result.Reports
                .Where(r => r.Report.Verdict == Verdict.SandboxError)
                .Select(r => $"Verification {verification.Id}: sandbox error in the {r.Name} grading at {r.Report.Stage}: {r.Report.Message}")
                .FirstOrDefault();
            if (broken is not null)
            {
                throw new SandboxErrorException(broken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var last = verification.Attempt >= MaxAttempts;
            await db.GradingRuns.Where(r => r.VerificationId == verification.Id && r.Status == GradingStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, GradingStatus.Failed).SetProperty(r => r.FinishedAt, DateTimeOffset.UtcNow), cancellationToken);
            verification.Status = last ? ScenarioVerificationStatus.Failed : ScenarioVerificationStatus.Queued;
            verification.FinishedAt = last ? DateTimeOffset.UtcNow : null;
            verification.Error = e.Message.Length > ErrorCap ? e.Message[..ErrorCap] : e.Message;
            if (last)
            {
                db.AuditEvents.Add(Audit(verification, "scenario.verification-failed", new { error = verification.Error }));
            }

            await db.SaveChangesAsync(CancellationToken.None);
            await NotifyAsync(verification.Id, CancellationToken.None);
            logger.LogWarning(e, "Verification {VerificationId} of {Scenario} attempt {Attempt} failed on our side", verification.Id, version.Scenario!.Slug, verification.Attempt);
            throw;
        }

        verification.Status = result.Verified ? ScenarioVerificationStatus.Verified : ScenarioVerificationStatus.NotVerified;
        verification.Problems = [.. result.Problems];
        verification.FinishedAt = DateTimeOffset.UtcNow;
        if (result.Verified)
        {
            version.VerifiedAt = verification.FinishedAt;
        }

        db.AuditEvents.Add(Audit(verification, result.Verified ? "scenario.verified" : "scenario.not-verified",
            new { image = verification.ImageId, problems = result.Problems.Count }));
        await db.SaveChangesAsync(cancellationToken);
        await NotifyAsync(verification.Id, cancellationToken);
    }

    private static async Task<ScenarioPackage> LoadAsync(ScenarioVersion version, CancellationToken cancellationToken)
    {
        var archive = version.Archive ?? throw new InvalidOperationException($"Scenario version {version.ContentHash[..12]} has no stored archive.");
        var loaded = await ScenarioPackage.LoadArchiveAsync(new MemoryStream(archive.Archive), $"version {version.ContentHash[..12]}", cancellationToken);
        return loaded.Package ?? throw new InvalidOperationException($"The stored archive of {version.ContentHash[..12]} does not load: {string.Join("; ", loaded.Errors)}");
    }

    private static AuditEvent Audit(ScenarioVerification verification, string action, object details)
    {
        var scenario = verification.ScenarioVersion!.Scenario!;
        return AuditEvent.About("scenario", scenario.Slug, scenario.OrganisationId, "worker", action,
            new { verificationId = verification.Id, version = verification.ScenarioVersion.ContentHash[..12], details });
    }

    /// <summary>Pages showing the verification listen on the gradings' channel, with its id.</summary>
    private Task NotifyAsync(Guid verificationId, CancellationToken cancellationToken) =>
        StageRecorder.NotifyAsync(dataSource, verificationId, cancellationToken);
}

/// <summary>Each grading of a verification as a <see cref="GradingRun"/>: created (or, on a retried
/// attempt, reset) as it starts, its stages recorded live, its report stored as it ends. The
/// verifier may grade variants side by side, so the job's context is used by one at a time.</summary>
internal sealed class VerificationRecorder(AssessmentsDbContext db, NpgsqlDataSource dataSource, ScenarioVerification verification, OperationsMetrics metrics, ILogger logger)
    : IVerificationObserver, IAsyncDisposable
{
    private const int LogCap = 64 * 1024;

    private readonly SemaphoreSlim _context = new(1, 1);

    public async Task<IVerificationGrading> StartingAsync(string name, CancellationToken cancellationToken)
    {
        GradingRun run;
        await _context.WaitAsync(cancellationToken);
        try
        {
            run = await db.GradingRuns.SingleOrDefaultAsync(r => r.VerificationId == verification.Id && r.Subject == name, cancellationToken)
                ?? db.GradingRuns.Add(new GradingRun
                {
                    Kind = GradingKind.Verification,
                    ScenarioVersionId = verification.ScenarioVersionId,
                    VerificationId = verification.Id,
                    Subject = name,
                    RequestedBy = verification.RequestedBy,
                }).Entity;
            run.Attempt = verification.Attempt;
            run.Status = GradingStatus.Running;
            run.StartedAt = DateTimeOffset.UtcNow;
            run.FinishedAt = null;
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            _context.Release();
        }

        await StageRecorder.NotifyAsync(dataSource, run.Id, cancellationToken);
        var log = new StringBuilder();
        return new Grading(this, run, log, new StageRecorder(dataSource, run.Id, run.Attempt, log, LogCap, logger, OperationsTelemetry.GradingTags(run)));
    }

    private async Task FinishAsync(GradingRun run, StringBuilder log, GradingReport report, CancellationToken cancellationToken)
    {
        await _context.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await StoredReports.ReplaceAsync(db, run, report, cancellationToken);
            var text = log.ToString();
            run.Log = text.Length > LogCap ? text[..LogCap] : text;
            run.LogTruncated = text.Length > LogCap;
            run.Status = GradingStatus.Completed;
            run.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({StageRecorder.Channel}, {run.Id.ToString()})", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (report.Verdict == Verdict.SandboxError)
            {
                metrics.SandboxError(OperationsMetrics.Cause(report));
            }
            else
            {
                metrics.GradingFinished(GradingKind.Verification, run.Verdict ?? GradingVerdict.SandboxError, sincePush: null);
            }
        }
        finally
        {
            _context.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _context.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Grading(VerificationRecorder recorder, GradingRun run, StringBuilder log, StageRecorder stages) : IVerificationGrading
    {
        public IProgress<GradingProgress>? Progress => stages;

        public async Task FinishedAsync(GradingReport report, CancellationToken cancellationToken)
        {
            // Every stage row is written before the report that ends them.
            await stages.DisposeAsync();
            await recorder.FinishAsync(run, log, report, cancellationToken);
        }

        public ValueTask DisposeAsync() => stages.DisposeAsync();
    }
}
