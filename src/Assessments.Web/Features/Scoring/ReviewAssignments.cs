using Assessments.Web.Features.Submissions;
using Hangfire;

namespace Assessments.Web.Features.Scoring;

/// <summary>An admin's choice of who reviews an assessment, or every open assessment of a
/// scenario. Assigned reviewers are mailed once the assessment is ready for review (at once, when
/// it already is), through the outbox, so a saved assignment is never left without its mail.</summary>
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
        if (reviewerIds.Except(eligible).Any())
        {
            return "Only the organisation's admins and reviewers can review; refresh the page and choose again.";
        }

        var reviews = await db.Reviews.Where(r => r.AssessmentId == assessment.Id).ToListAsync(cancellationToken);
        // Unchecked and not begun: the assignment goes; a begun review stays with its reviewer.
        var removed = reviews.Where(r => !reviewerIds.Contains(r.ReviewerId) && r.UpdatedAt is null && r.SubmittedAt is null).ToList();
        db.Reviews.RemoveRange(removed);
        var added = Add(assessment.Id, assessment.OrganisationId, assessment.Status, reviews, reviewerIds.Distinct(), admin, removed.Select(r => r.ReviewerId).ToList(), scenario: null);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Admin} assigned reviewers to assessment {AssessmentId}: +{Added} -{Removed}", admin.Email, assessment.Id, added, removed.Count);
        return null;
    }

    /// <summary>Adds <paramref name="reviewerIds"/> to every assessment of the scenario in the
    /// organisations <paramref name="admin"/> administers that is not cancelled or decided yet,
    /// keeping the reviewers each already has. A reviewer joins only the assessments of their own
    /// organisations, as an admin or reviewer there.</summary>
    /// <returns>How many assessments gained a reviewer.</returns>
    public async Task<int> AssignToScenarioAsync(string scenario, IReadOnlyCollection<Guid> reviewerIds, User admin, CancellationToken cancellationToken)
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
        var ids = assessments.Select(a => a.Id).ToList();
        var reviews = await db.Reviews.Where(r => ids.Contains(r.AssessmentId)).ToListAsync(cancellationToken);
        var changed = assessments.Count(a => Add(
            a.Id,
            a.OrganisationId,
            a.Status,
            reviews.Where(r => r.AssessmentId == a.Id).ToList(),
            eligible.Where(e => e.OrganisationId == a.OrganisationId).Select(e => e.UserId),
            admin,
            removed: [],
            scenario) > 0);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Admin} assigned reviewers to {Changed} assessment(s) of scenario {Scenario}", admin.Email, changed, scenario);
        return changed;
    }

    /// <summary>Assigns each of <paramref name="reviewerIds"/> the assessment has not assigned yet
    /// (a new review, or one the reviewer began of their own accord), audits the change with
    /// <paramref name="removed"/>, and queues the mail when the assessment is ready already.</summary>
    /// <returns>How many reviewers were added.</returns>
    private int Add(Guid assessmentId, Guid organisationId, AssessmentStatus status, List<Review> reviews, IEnumerable<Guid> reviewerIds, User admin, IReadOnlyList<Guid> removed, string? scenario)
    {
        var added = new List<Guid>();
        foreach (var reviewerId in reviewerIds)
        {
            var existing = reviews.SingleOrDefault(r => r.ReviewerId == reviewerId);
            if (existing is null)
            {
                db.Reviews.Add(new Review { AssessmentId = assessmentId, ReviewerId = reviewerId, AssignedById = admin.Id });
                added.Add(reviewerId);
            }
            else if (existing.AssignedById is null)
            {
                existing.AssignedById = admin.Id;
                added.Add(reviewerId);
            }
        }

        if (added.Count == 0 && removed.Count == 0)
        {
            return 0;
        }

        db.AuditEvents.Add(AuditEvent.About("assessment", assessmentId.ToString(), organisationId, admin.Email ?? admin.Id.ToString(), "review.assigned", new { added, removed, scenario }));
        if (status == AssessmentStatus.ReadyForReview && added.Count > 0)
        {
            ReviewReadyMail.Queue(db, assessmentId);
        }

        return added.Count;
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
