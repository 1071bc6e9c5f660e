namespace Assessments.Web.Data;

/// <summary>The assessment's state machine, in one place (decision 015): invited → started →
/// closed → ready for review once its final submission's grading has ended (or at once, when
/// there is nothing left to grade) → reviewed. The lifecycle checks a request against these
/// states to answer the person who asked, and carries out the side effects (repositories,
/// GitHub, audit); the grading job only tells the assessment that a grading ended.</summary>
public sealed partial class Assessment
{
    /// <summary>Only an invited assessment starts.</summary>
    public bool CanStart => Status == AssessmentStatus.Invited;

    /// <summary>Only a started assessment closes.</summary>
    public bool CanClose => Status == AssessmentStatus.Started;

    /// <summary>Invited or started: its deadline can still move.</summary>
    public bool IsOpen => Status is AssessmentStatus.Invited or AssessmentStatus.Started;

    /// <summary>Closed already, whatever happened after the close.</summary>
    public bool IsClosed => Status is AssessmentStatus.Closed or AssessmentStatus.ReadyForReview or AssessmentStatus.Reviewed;

    /// <summary>The clock starts.</summary>
    public void Start(DateTimeOffset now)
    {
        Require(CanStart, "start");
        Status = AssessmentStatus.Started;
        StartedAt = now;
    }

    /// <summary>Closes a started assessment: ready for review at once when nothing is left to
    /// grade (no push at all, or the final one graded already), else when that grading ends.</summary>
    public void Close(DateTimeOffset now, bool finalGradingPending)
    {
        Require(CanClose, "close");
        Status = finalGradingPending ? AssessmentStatus.Closed : AssessmentStatus.ReadyForReview;
        ClosedAt = now;
    }

    /// <summary>Withdrawn before it closed: cancelled for good, the git token void at once. The
    /// invitation link still finds the assessment, to say it was withdrawn.</summary>
    public void Revoke(DateTimeOffset now)
    {
        Require(IsOpen, "be revoked");
        Status = AssessmentStatus.Cancelled;
        ClosedAt = now;
        AccessTokenHash = null;
        AccessTokenRevokedAt = now;
    }

    /// <summary>A grading of <paramref name="submission"/> has ended (completed, or failed for
    /// good): the final one of a closed assessment is the last thing it waits for. A failed one is
    /// shown to the reviewer as such rather than holding the assessment back.</summary>
    public void GradingEnded(Submission submission)
    {
        if (Status == AssessmentStatus.Closed && submission.IsFinal && submission.AssessmentId == Id)
        {
            Status = AssessmentStatus.ReadyForReview;
        }
    }

    private void Require(bool allowed, string transition)
    {
        if (!allowed)
        {
            // The lifecycle checks first and answers the person who asked; reaching this is a bug.
            throw new InvalidOperationException($"Assessment {Id} is {Status}; it cannot {transition}.");
        }
    }
}
