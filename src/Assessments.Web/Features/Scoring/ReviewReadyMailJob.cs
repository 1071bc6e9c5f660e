using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Mail;
using Hangfire;

namespace Assessments.Web.Features.Scoring;

/// <summary>Mails each assigned reviewer who has not been told yet that an assessment is ready for
/// their review. Each mail is marked sent as soon as it is, so a retry after a failure mails only
/// those still untold. The mail names the scenario, not the candidate: a reviewer may be reviewing
/// blind.</summary>
public sealed class ReviewReadyMailJob(AssessmentsDbContext db, IMailSender mail, IOptions<PublicUrlOptions> urls, TimeProvider time, ILogger<ReviewReadyMailJob> logger)
{
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        var assessment = await db.Assessments
            .Where(a => a.Id == assessmentId)
            .Select(a => new { a.Id, a.Status, Scenario = a.ScenarioVersion!.Scenario!.Title, Organisation = a.Organisation!.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (assessment is null || assessment.Status != AssessmentStatus.ReadyForReview)
        {
            logger.LogInformation("Assessment {AssessmentId} is not ready for review ({Status}); no reviewer mailed", assessmentId, assessment?.Status);
            return;
        }

        var untold = await db.Reviews.Include(r => r.Reviewer)
            .Where(r => r.AssessmentId == assessmentId && r.AssignedById != null && r.NotifiedAt == null && r.SubmittedAt == null)
            .ToListAsync(cancellationToken);
        var link = urls.Value.Link($"/assessments/{assessmentId}");
        foreach (var review in untold)
        {
            var reviewer = review.Reviewer!;
            await mail.SendAsync(new MailMessage(
                reviewer.Email!,
                reviewer.DisplayName,
                $"Ready for your review: {assessment.Scenario}",
                $"""
                An assessment of "{assessment.Scenario}" at {assessment.Organisation} is ready for your review.

                Open it, read the report and score the rubric:
                {link}

                Everything assigned to you is at {urls.Value.Link("/reviews")}.
                """), cancellationToken);
            review.NotifiedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }

        logger.LogInformation("Mailed {Count} reviewer(s) that assessment {AssessmentId} is ready for review", untold.Count, assessmentId);
    }
}
