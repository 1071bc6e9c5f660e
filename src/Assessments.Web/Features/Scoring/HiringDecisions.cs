namespace Assessments.Web.Features.Scoring;

/// <summary>An admin's hiring decision (advance, reject, hold) once the reviews are in: at least
/// one submitted, and none that an admin assigned still outstanding. A decision says why; it can
/// be changed, and the audit trail keeps each one.</summary>
public sealed class HiringDecisions(AssessmentsDbContext db, TimeProvider time, ILogger<HiringDecisions> logger)
{
    /// <summary>What still stands between the assessment and a decision; empty when it can be made.</summary>
    public static string? Blocker(AssessmentStatus status, IReadOnlyList<Review> reviews)
    {
        if (status is not (AssessmentStatus.ReadyForReview or AssessmentStatus.Reviewed))
        {
            return "A decision waits until the assessment is ready for review.";
        }

        var outstanding = reviews.Where(r => r.AssignedById is not null && r.SubmittedAt is null).ToList();
        if (outstanding.Count > 0)
        {
            return $"Waiting for the assigned {(outstanding.Count == 1 ? "review" : "reviews")} of {string.Join(", ", outstanding.Select(r => r.Reviewer?.DisplayName ?? r.ReviewerId.ToString()))}.";
        }

        return reviews.Any(r => r.SubmittedAt is not null) ? null : "A decision waits for at least one submitted review.";
    }

    /// <returns>A problem to show the admin, or null when decided.</returns>
    public async Task<string?> DecideAsync(Guid assessmentId, HiringDecision? decision, string? reason, User admin, CancellationToken cancellationToken)
    {
        var assessment = await db.Assessments.SingleAsync(a => a.Id == assessmentId, cancellationToken);
        var reviews = await db.Reviews.Include(r => r.Reviewer).Where(r => r.AssessmentId == assessmentId).ToListAsync(cancellationToken);
        if (Blocker(assessment.Status, reviews) is { } blocker)
        {
            return blocker;
        }

        if (decision is null || string.IsNullOrWhiteSpace(reason))
        {
            return "Choose advance, reject or hold, and say why.";
        }

        if (reason.Length > ReviewLimits.Comment)
        {
            return $"The reason is at most {ReviewLimits.Comment} characters.";
        }

        var previous = assessment.Decision;
        assessment.Decision = decision;
        assessment.DecisionReason = reason.Trim().ReplaceLineEndings("\n");
        assessment.DecidedAt = time.GetUtcNow();
        assessment.DecidedById = admin.Id;
        assessment.Status = AssessmentStatus.Reviewed;
        db.AuditEvents.Add(AuditEvent.About(assessment, admin.Email ?? admin.Id.ToString(), "assessment.decided", new
        {
            decision = decision.ToString(),
            previous = previous?.ToString(),
            reason = assessment.DecisionReason,
            reviews = reviews.Where(r => r.SubmittedAt is not null).Select(r => new { reviewer = r.ReviewerId, recommendation = r.Recommendation?.ToString(), r.Score }),
        }));
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Admin} decided {Decision} on assessment {AssessmentId} (was {Previous})", admin.Email, decision, assessmentId, previous);
        return null;
    }

    /// <summary>The decision as the pages say it.</summary>
    public static string Words(HiringDecision? decision) => decision switch
    {
        HiringDecision.Advance => "advance",
        HiringDecision.Reject => "reject",
        HiringDecision.Hold => "hold",
        _ => "not decided",
    };
}
