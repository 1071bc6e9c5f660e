using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Scoring;

/// <summary><c>/reviews</c>: the caller's own reviews. First what waits for them (assigned or begun,
/// not submitted; ready for review first, oldest first), then what they submitted lately.</summary>
public sealed class ToReviewModel(AssessmentsDbContext db) : PageModel
{
    /// <summary>How many submitted reviews the page lists.</summary>
    public const int RecentlySubmitted = 20;

    /// <summary>One review of the caller's, as the page lists it.</summary>
    /// <param name="CandidateName">Null while the caller reads the assessment blind: their review is
    /// not submitted and the organisation reviews blind.</param>
    public sealed record Row(
        Guid AssessmentId,
        string? CandidateName,
        string Scenario,
        AssessmentStatus Status,
        DateTimeOffset? ClosedAt,
        bool Assigned,
        DateTimeOffset? UpdatedAt,
        DateTimeOffset? SubmittedAt,
        Recommendation? Recommendation,
        double? Score)
    {
        public string Candidate => CandidateName ?? Blinding.Pseudonym(AssessmentId);
    }

    public IReadOnlyList<Row> Waiting { get; private set; } = [];

    public IReadOnlyList<Row> Submitted { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var mine = db.Reviews.AsNoTracking()
            .Where(r => r.ReviewerId == userId && db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == r.Assessment!.OrganisationId));
        var waiting = await Project(mine.Where(r => r.SubmittedAt == null && r.Assessment!.Status != AssessmentStatus.Cancelled)).ToListAsync(cancellationToken);
        Waiting = [.. waiting
            .OrderBy(r => r.Status == AssessmentStatus.ReadyForReview ? 0 : r.Status is AssessmentStatus.Closed or AssessmentStatus.Reviewed ? 1 : 2)
            .ThenBy(r => r.ClosedAt ?? DateTimeOffset.MaxValue)];
        Submitted = await Project(mine.Where(r => r.SubmittedAt != null).OrderByDescending(r => r.SubmittedAt).Take(RecentlySubmitted)).ToListAsync(cancellationToken);
    }

    private static IQueryable<Row> Project(IQueryable<Review> reviews) =>
        reviews.Select(r => new Row(
            r.AssessmentId,
            r.SubmittedAt == null && r.Assessment!.Organisation!.BlindReview ? null : r.Assessment!.Candidate!.Name,
            r.Assessment!.ScenarioVersion!.Scenario!.Title,
            r.Assessment!.Status,
            r.Assessment!.ClosedAt,
            r.AssignedById != null,
            r.UpdatedAt,
            r.SubmittedAt,
            r.Recommendation,
            r.Score));
}
