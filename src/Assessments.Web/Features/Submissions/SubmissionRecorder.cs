using System.Text.Json;
using Assessments.Web.Data;
using Assessments.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Assessments.Web.Features.Submissions;

/// <summary>Records a pushed commit as a submission, with the outbox message that will queue its
/// grading, in one transaction: a crash after the commit loses nothing (the dispatcher finds the
/// message), a crash before it leaves nothing half-done (reconciliation finds the push).</summary>
public sealed class SubmissionRecorder(AssessmentsDbContext db, OutboxDispatcher dispatcher, ILogger<SubmissionRecorder> logger)
{
    /// <summary>Records <paramref name="commitSha"/> for the assessment; returns the new
    /// submission, or null when that commit was recorded already (a second push of the same
    /// commit, a redelivered webhook): unique per assessment and commit.</summary>
    public async Task<Submission?> RecordAsync(Guid assessmentId, string commitSha, string branch, SubmissionSource source, CancellationToken cancellationToken)
    {
        var submission = new Submission { AssessmentId = assessmentId, CommitSha = commitSha, Branch = branch, Source = source };
        db.Submissions.Add(submission);
        db.OutboxMessages.Add(new OutboxMessage
        {
            Kind = OutboxKinds.GradeSubmission,
            Payload = JsonSerializer.Serialize(new GradeSubmissionMessage(submission.Id)),
        });
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
}

/// <summary>What outbox messages ask for.</summary>
public static class OutboxKinds
{
    /// <summary>Queue a grading of a submission (<see cref="GradeSubmissionMessage"/>).</summary>
    public const string GradeSubmission = "grade-submission";

    /// <summary>Provision a started assessment's GitHub repository (<see cref="ProvisionGitHubRepositoryMessage"/>).</summary>
    public const string ProvisionGitHubRepository = "provision-github-repository";
}

/// <summary>The payload of <see cref="OutboxKinds.GradeSubmission"/>.</summary>
public sealed record GradeSubmissionMessage(Guid SubmissionId);

/// <summary>The payload of <see cref="OutboxKinds.ProvisionGitHubRepository"/>.</summary>
public sealed record ProvisionGitHubRepositoryMessage(Guid AssessmentId);
