namespace Assessments.Web.Features.Reviewing;

/// <summary>One assessment as the list shows it.</summary>
public sealed class AssessmentRow
{
    public Guid Id { get; init; }

    /// <summary>The candidate's name; null for a reader who reads this assessment blind.</summary>
    public string? CandidateName { get; init; }

    /// <summary>The reader reads this assessment blind (<see cref="Blinding"/>).</summary>
    public bool Blind { get; init; }

    /// <summary>The name the reader sees: the candidate's, or their pseudonym.</summary>
    public string Candidate => Blind ? Blinding.Pseudonym(Id) : CandidateName ?? "";

    public required string ScenarioTitle { get; init; }

    public required string ScenarioSlug { get; init; }

    public required string VersionLabel { get; init; }

    public AssessmentStatus Status { get; init; }

    public HiringDecision? Decision { get; init; }

    public DateTimeOffset InvitedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the assessment began: started, or invited if not yet.</summary>
    public DateTimeOffset Began { get; init; }

    public DateTimeOffset? Deadline { get; init; }

    public int Pushes { get; init; }

    public GradingStatus? GradingStatus { get; init; }

    public GradingVerdict? Verdict { get; init; }

    public string? MetricKey { get; init; }

    public string? MetricUnit { get; init; }

    public double? MetricBaseline { get; init; }

    public double? MetricCandidate { get; init; }

    /// <summary>Above 1 is better, whichever way the metric improves.</summary>
    public double? Improvement { get; init; }

    public MetricSampleComparison? Comparison { get; init; }

    public string? FirstReviewer { get; init; }

    /// <summary>The mean weighted score of the submitted reviews; null while none is submitted, or
    /// while the reader may not see them yet (<see cref="Blinding.MaySeeOthers"/>).</summary>
    public double? Score { get; init; }

    /// <summary>The reader may see the other reviews' recommendations and scores.</summary>
    public bool ReviewsVisible { get; init; }

    public List<ReviewerMark> Reviewers { get; init; } = [];
}

public sealed record ReviewerMark(string Name, bool Submitted, Recommendation? Recommendation);

/// <summary>An assessment with what its reader may see of it: the other reviews
/// (<see cref="Blinding.MaySeeOthers"/>) and the candidate's identity
/// (<see cref="Blinding.IsBlind"/>), decided in SQL for the list, the comparison and the exports.</summary>
public sealed class ReaderView
{
    public required Assessment Assessment { get; init; }

    public bool ReviewsVisible { get; init; }

    public bool Blind { get; init; }
}

/// <summary>The list's projection, shared by the page, its export and its benchmark.</summary>
public static class AssessmentRows
{
    /// <summary>Each assessment with what <paramref name="readerId"/> may see of it.</summary>
    public static IQueryable<ReaderView> ReadBy(AssessmentsDbContext db, IQueryable<Assessment> assessments, Guid readerId) =>
        from a in assessments
        // Blinding.MaySeeOthers: the reader submitted their own review, or is an admin of the
        // organisation with no review of their own.
        let visible = db.Reviews.Any(r => r.AssessmentId == a.Id && r.ReviewerId == readerId && r.SubmittedAt != null)
            || (!db.Reviews.Any(r => r.AssessmentId == a.Id && r.ReviewerId == readerId)
                && db.Memberships.Any(m => m.UserId == readerId && m.OrganisationId == a.OrganisationId && m.Role == OrganisationRole.Admin))
        select new ReaderView
        {
            Assessment = a,
            ReviewsVisible = visible,
            // Blinding.IsBlind: the organisation reviews blind and the reader may not see the reviews yet.
            Blind = a.Organisation!.BlindReview && !visible,
        };

    /// <param name="readerId">Who reads the list: reviews stay independent, so a reader who is
    /// scoring an assessment sees no other reviewer's recommendation or score on it, nor, in an
    /// organisation that reviews blind, who the candidate is.</param>
    public static IQueryable<AssessmentRow> Project(AssessmentsDbContext db, IQueryable<Assessment> assessments, Guid readerId) =>
        from v in ReadBy(db, assessments, readerId)
        let a = v.Assessment
        // The latest grading and its primary metric come from the assessment's listing, kept true
        // on every save (Data/AssessmentListings), so sorting by them reads one row per assessment.
        let l = a.Listing
        let visible = v.ReviewsVisible
        let blind = v.Blind
        select new AssessmentRow
        {
            Id = a.Id,
            CandidateName = blind ? null : a.Candidate!.Name,
            Blind = blind,
            ScenarioTitle = a.ScenarioVersion!.Scenario!.Title,
            ScenarioSlug = a.ScenarioVersion!.Scenario!.Slug,
            Decision = a.Decision,
            VersionLabel = a.ScenarioVersion!.Label,
            Status = a.Status,
            InvitedAt = a.InvitedAt,
            StartedAt = a.StartedAt,
            Began = a.StartedAt ?? a.InvitedAt,
            Deadline = a.Deadline != null && (a.StartedAt == null || a.TimeLimit == null || a.Deadline < a.StartedAt + a.TimeLimit)
                ? a.Deadline
                : a.StartedAt + a.TimeLimit,
            Pushes = l == null ? 0 : l.Pushes,
            GradingStatus = l == null ? null : l.LatestGradingStatus,
            Verdict = l == null ? null : l.LatestVerdict,
            MetricKey = l == null ? null : l.PrimaryMetricKey,
            MetricUnit = l == null ? null : l.PrimaryMetricUnit,
            MetricBaseline = l == null ? null : l.PrimaryBaseline,
            MetricCandidate = l == null ? null : l.PrimaryCandidate,
            Improvement = l == null ? null : l.PrimaryImprovement,
            Comparison = l == null ? null : l.PrimaryComparison,
            FirstReviewer = db.Reviews.Where(r => r.AssessmentId == a.Id).Select(r => r.Reviewer!.DisplayName).OrderBy(n => n).FirstOrDefault(),
            Score = visible ? db.Reviews.Where(r => r.AssessmentId == a.Id && r.SubmittedAt != null).Average(r => r.Score) : null,
            ReviewsVisible = visible,
            Reviewers = db.Reviews.Where(r => r.AssessmentId == a.Id)
                .OrderBy(r => r.Reviewer!.DisplayName)
                .Select(r => new ReviewerMark(r.Reviewer!.DisplayName, r.SubmittedAt != null, visible || r.ReviewerId == readerId ? r.Recommendation : null))
                .ToList(),
        };
}
