using System.Diagnostics;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Grading;
using Npgsql;

namespace Assessments.Web.Features.Submissions;

/// <summary>Records a pushed commit as a submission, with its queued grading, in one transaction: a
/// crash after the commit loses nothing (the dispatcher finds the run without a job), a crash
/// before it leaves nothing half-done (reconciliation finds the push).</summary>
public sealed class SubmissionRecorder(AssessmentsDbContext db, OutboxDispatcher dispatcher, ILogger<SubmissionRecorder> logger) : IPushRecorder
{
    /// <summary>Records <paramref name="commitSha"/> for the assessment; returns the new
    /// submission, or null when that commit was recorded already (a second push of the same
    /// commit, a redelivered webhook): unique per assessment and commit.</summary>
    public async Task<Submission?> RecordAsync(Guid assessmentId, string commitSha, string branch, SubmissionSource source, CancellationToken cancellationToken)
    {
        var scenarioVersionId = await db.Assessments.Where(a => a.Id == assessmentId).Select(a => a.ScenarioVersionId).SingleAsync(cancellationToken);
        var submission = new Submission { AssessmentId = assessmentId, CommitSha = commitSha, Branch = branch, Source = source };
        db.Submissions.Add(submission);
        GradingQueue.Queue(db, submission, scenarioVersionId);
        try
        {
            // One SaveChanges is one transaction: both rows or neither.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_submissions_assessment_id_commit_sha" })
        {
            db.ChangeTracker.Clear();
            logger.LogInformation("Commit {CommitSha} of assessment {AssessmentId} was recorded already", commitSha, assessmentId);
            return null;
        }

        logger.LogInformation("Submission {SubmissionId}: commit {CommitSha} of assessment {AssessmentId} ({Source})", submission.Id, commitSha, assessmentId, source);
        FaultPoints.Hit(FaultPoints.AfterPushRecorded);
        dispatcher.Wake();
        return submission;
    }

    /// <summary>How long a push git accepted waits for a database that does not answer (restarting,
    /// failing over) before it is left to reconciliation.</summary>
    public static readonly TimeSpan PushRecordingPatience = TimeSpan.FromMinutes(2);

    /// <summary>A push the built-in git host accepted. git has told the client so already, so a
    /// database that does not answer is waited for (<see cref="PushRecordingPatience"/>) instead of
    /// leaving the push to reconciliation, which sees only the newest head: a push followed by
    /// another before then would never be recorded. Trying again is safe, since a commit is
    /// recorded once per assessment (a commit that went through before the connection broke is
    /// found recorded already).</summary>
    async Task IPushRecorder.RecordPushAsync(Guid assessmentId, string commitSha, string branch, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecordAsync(assessmentId, commitSha, branch, SubmissionSource.BuiltInPush, cancellationToken);
                return;
            }
            catch (Exception e) when (IsTransient(e) && waited.Elapsed < PushRecordingPatience)
            {
                db.ChangeTracker.Clear();
                logger.LogWarning("Recording commit {CommitSha} of assessment {AssessmentId} failed (attempt {Attempt}): {Reason}; trying again", commitSha, assessmentId, attempt, e.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>A failure that may pass on its own: the server unreachable, shutting down or starting up.</summary>
    private static bool IsTransient(Exception? e) => e switch
    {
        null => false,
        NpgsqlException { IsTransient: true } => true,
        _ => IsTransient(e.InnerException),
    };
}
