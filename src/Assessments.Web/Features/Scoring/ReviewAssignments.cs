using Assessments.Web.Features.Submissions;
using Hangfire;

namespace Assessments.Web.Features.Scoring;

/// <summary>An admin's choice of who reviews an assessment. Assigned reviewers are mailed once the
/// assessment is ready for review (at once, when it already is), through the outbox, so a
/// saved assignment is never left without its mail.</summary>
public sealed class ReviewAssignments(AssessmentsDbContext db, ILogger<ReviewAssignments> logger)
{
    /// <summary>Makes <paramref name="reviewerIds"/> the assessment's assigned reviewers. A reviewer
    /// who has started or submitted a review keeps it even when unchecked: their work is not thrown
    /// away, and they stay on the assessment.</summary>
    /// <returns>A problem to show the admin, or null when saved.</returns>
    public async Task<string?> AssignAsync(Assessment assessment, IReadOnlyCollection<Guid> reviewerIds, User admin, CancellationToken cancellationToken)
    {
        var eligible = await db.Memberships
            .Where(m => m.OrganisationId == assessment.OrganisationId && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Reviewer))
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);
        var strangers = reviewerIds.Except(eligible).ToList();
        if (strangers.Count > 0)
        {
            return "Only the organisation's admins and reviewers can review; refresh the page and choose again.";
        }

        var reviews = await db.Reviews.Include(r => r.Criteria).Where(r => r.AssessmentId == assessment.Id).ToListAsync(cancellationToken);
        var added = new List<Guid>();
        foreach (var reviewerId in reviewerIds.Distinct())
        {
            var existing = reviews.SingleOrDefault(r => r.ReviewerId == reviewerId);
            if (existing is null)
            {
                db.Reviews.Add(new Review { AssessmentId = assessment.Id, ReviewerId = reviewerId, AssignedById = admin.Id });
                added.Add(reviewerId);
            }
            else if (existing.AssignedById is null)
            {
                existing.AssignedById = admin.Id;
                added.Add(reviewerId);
            }
        }

        // Unchecked and not begun: the assignment goes; a begun review stays with its reviewer.
        var removed = reviews.Where(r => !reviewerIds.Contains(r.ReviewerId) && r.UpdatedAt is null && r.SubmittedAt is null).ToList();
        db.Reviews.RemoveRange(removed);

        if (added.Count == 0 && removed.Count == 0)
        {
            return null;
        }

        db.AuditEvents.Add(AuditEvent.About(assessment, admin.Email ?? admin.Id.ToString(), "review.assigned", new
        {
            added,
            removed = removed.Select(r => r.ReviewerId),
        }));
        if (assessment.Status == AssessmentStatus.ReadyForReview && added.Count > 0)
        {
            ReviewReadyMail.Queue(db, assessment.Id);
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Admin} assigned reviewers to assessment {AssessmentId}: +{Added} -{Removed}", admin.Email, assessment.Id, added.Count, removed.Count);
        return null;
    }
}

/// <summary>Assigns reviewers to every assessment of a scenario at once.</summary>
public static class ScenarioAssignments
{
    /// <summary>Adds <paramref name="reviewerIds"/> to every assessment of the scenario in the
    /// organisations <paramref name="admin"/> administers that is not cancelled or decided yet,
    /// keeping the reviewers each already has. Returns how many assessments gained a reviewer.</summary>
    public static async Task<int> AssignAsync(AssessmentsDbContext db, string scenario, IReadOnlyCollection<Guid> reviewerIds, User admin, CancellationToken cancellationToken)
    {
        var assessments = await db.Assessments
            .Where(a => a.ScenarioVersion!.Scenario!.Slug == scenario
                        && a.Status != AssessmentStatus.Cancelled && a.Status != AssessmentStatus.Reviewed
                        && db.Memberships.Any(m => m.UserId == admin.Id && m.OrganisationId == a.OrganisationId && m.Role == OrganisationRole.Admin))
            .Select(a => new { a.Id, a.OrganisationId, a.Status })
            .ToListAsync(cancellationToken);
        var eligible = await db.Memberships
            .Where(m => reviewerIds.Contains(m.UserId) && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Reviewer))
            .Select(m => new { m.UserId, m.OrganisationId })
            .ToListAsync(cancellationToken);
        var existing = await db.Reviews.Where(r => assessments.Select(a => a.Id).Contains(r.AssessmentId)).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var assessment in assessments)
        {
            var added = new List<Guid>();
            foreach (var reviewer in eligible.Where(e => e.OrganisationId == assessment.OrganisationId).Select(e => e.UserId))
            {
                var review = existing.SingleOrDefault(r => r.AssessmentId == assessment.Id && r.ReviewerId == reviewer);
                if (review is null)
                {
                    db.Reviews.Add(new Review { AssessmentId = assessment.Id, ReviewerId = reviewer, AssignedById = admin.Id });
                    added.Add(reviewer);
                }
                else if (review.AssignedById is null)
                {
                    review.AssignedById = admin.Id;
                    added.Add(reviewer);
                }
            }

            if (added.Count > 0)
            {
                changed++;
                db.AuditEvents.Add(AuditEvent.About("assessment", assessment.Id.ToString(), assessment.OrganisationId, admin.Email ?? admin.Id.ToString(), "review.assigned", new { added, removed = Array.Empty<Guid>(), scenario }));
                if (assessment.Status == AssessmentStatus.ReadyForReview)
                {
                    ReviewReadyMail.Queue(db, assessment.Id);
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }
}

/// <summary>Turns a <see cref="ReviewReadyMail"/> message into its <see cref="ReviewReadyMailJob"/>.</summary>
public sealed class ReviewReadyMessages : IOutboxHandler
{
    string IOutboxHandler.Kind => ReviewReadyMail.Kind;

    public void Handle(OutboxMessage message, IBackgroundJobClient jobs)
    {
        var ready = UndeliverableMessageException.Read<ReviewReadyMail.Message>(message);
        jobs.Enqueue<ReviewReadyMailJob>(job => job.RunAsync(ready.AssessmentId, CancellationToken.None));
    }
}
