using Assessments.Web.Data;

namespace Assessments.Web.Tests.Data;

/// <summary>The assessment's state machine: which transitions each state allows, and that the end
/// of a grading moves only a closed assessment on, and only for its final submission.</summary>
public sealed class AssessmentStatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(AssessmentStatus.Invited, true, false, true, false)]
    [InlineData(AssessmentStatus.Started, false, true, true, false)]
    [InlineData(AssessmentStatus.Closed, false, false, false, true)]
    [InlineData(AssessmentStatus.ReadyForReview, false, false, false, true)]
    [InlineData(AssessmentStatus.Reviewed, false, false, false, true)]
    public void EachStateAllowsItsTransitions(AssessmentStatus status, bool canStart, bool canClose, bool isOpen, bool isClosed)
    {
        var assessment = new Assessment { Slug = "a", Status = status };
        Assert.Equal((canStart, canClose, isOpen, isClosed), (assessment.CanStart, assessment.CanClose, assessment.IsOpen, assessment.IsClosed));
    }

    [Fact]
    public void StartedThenClosedWaitsForItsFinalGrading()
    {
        var assessment = new Assessment { Slug = "a", Status = AssessmentStatus.Invited };
        assessment.Start(Now);
        Assert.Equal((AssessmentStatus.Started, Now), (assessment.Status, assessment.StartedAt));

        assessment.Close(Now.AddHours(2), finalGradingPending: true);
        Assert.Equal((AssessmentStatus.Closed, Now.AddHours(2)), (assessment.Status, assessment.ClosedAt));

        // An earlier push's grading ending changes nothing; the final one's does.
        assessment.GradingEnded(new Submission { AssessmentId = assessment.Id, CommitSha = new string('1', 40) });
        Assert.Equal(AssessmentStatus.Closed, assessment.Status);
        assessment.GradingEnded(new Submission { AssessmentId = assessment.Id, CommitSha = new string('2', 40), IsFinal = true });
        Assert.Equal(AssessmentStatus.ReadyForReview, assessment.Status);
    }

    [Fact]
    public void ClosedWithNothingToGradeIsReadyForReviewAtOnce()
    {
        var assessment = new Assessment { Slug = "a", Status = AssessmentStatus.Started };
        assessment.Close(Now, finalGradingPending: false);
        Assert.Equal(AssessmentStatus.ReadyForReview, assessment.Status);
    }

    [Fact]
    public void AGradingEndingWhileStillStartedChangesNothing()
    {
        var assessment = new Assessment { Slug = "a", Status = AssessmentStatus.Started };
        assessment.GradingEnded(new Submission { AssessmentId = assessment.Id, CommitSha = new string('1', 40), IsFinal = true });
        Assert.Equal(AssessmentStatus.Started, assessment.Status);
    }

    [Theory]
    [InlineData(AssessmentStatus.Started)]
    [InlineData(AssessmentStatus.Closed)]
    public void StartingTwiceIsRefused(AssessmentStatus status)
    {
        var assessment = new Assessment { Slug = "a", Status = status };
        var error = Assert.Throws<InvalidOperationException>(() => assessment.Start(Now));
        Assert.Contains("cannot start", error.Message);
        Assert.Equal(status, assessment.Status);
    }

    [Theory]
    [InlineData(AssessmentStatus.Invited)]
    [InlineData(AssessmentStatus.ReadyForReview)]
    public void ClosingAnythingButAStartedAssessmentIsRefused(AssessmentStatus status)
    {
        var assessment = new Assessment { Slug = "a", Status = status };
        Assert.Throws<InvalidOperationException>(() => assessment.Close(Now, finalGradingPending: false));
        Assert.Equal(status, assessment.Status);
    }
}
