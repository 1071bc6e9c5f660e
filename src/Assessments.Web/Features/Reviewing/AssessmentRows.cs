namespace Assessments.Web.Features.Reviewing;

/// <summary>One assessment as the list shows it.</summary>
public sealed class AssessmentRow
{
    public Guid Id { get; init; }

    public required string Candidate { get; init; }

    public required string ScenarioTitle { get; init; }

    public required string VersionLabel { get; init; }

    public AssessmentStatus Status { get; init; }

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

    public List<ReviewerMark> Reviewers { get; init; } = [];
}

public sealed record ReviewerMark(string Name, bool Submitted, Recommendation? Recommendation);

/// <summary>The list's projection, shared by the page and its benchmark.</summary>
public static class AssessmentRows
{
    public static IQueryable<AssessmentRow> Project(AssessmentsDbContext db, IQueryable<Assessment> assessments) =>
        from a in assessments
        // The latest grading that counts: superseded and cancelled ones never ran to a verdict.
        // Written out here and in the verdict filter, since EF Core cannot see into a method call.
        let latest = db.GradingRuns
            .Where(g => g.Submission!.AssessmentId == a.Id && g.Kind == GradingKind.Candidate
                && g.Status != GradingStatus.Superseded && g.Status != GradingStatus.Cancelled)
            .OrderByDescending(g => g.QueuedAt).ThenByDescending(g => g.Id)
            .FirstOrDefault()
        let primary = db.MetricSamples.Where(m => latest != null && m.GradingRunId == latest.Id && m.IsPrimary).FirstOrDefault()
        select new AssessmentRow
        {
            Id = a.Id,
            Candidate = a.Candidate!.Name,
            ScenarioTitle = a.ScenarioVersion!.Scenario!.Title,
            VersionLabel = a.ScenarioVersion.Label,
            Status = a.Status,
            InvitedAt = a.InvitedAt,
            StartedAt = a.StartedAt,
            Began = a.StartedAt ?? a.InvitedAt,
            Deadline = a.Deadline != null && (a.StartedAt == null || a.TimeLimit == null || a.Deadline < a.StartedAt + a.TimeLimit)
                ? a.Deadline
                : a.StartedAt + a.TimeLimit,
            Pushes = db.Submissions.Count(s => s.AssessmentId == a.Id),
            GradingStatus = latest == null ? null : latest.Status,
            Verdict = latest == null ? null : latest.Verdict,
            MetricKey = primary == null ? null : primary.Key,
            MetricUnit = primary == null ? null : primary.Unit,
            MetricBaseline = primary == null ? null : primary.BaselineValue,
            MetricCandidate = primary == null ? null : primary.CandidateValue,
            Improvement = primary == null || primary.Ratio == null || primary.Ratio == 0 ? null
                : primary.Direction == MetricSampleDirection.Lower ? 1 / primary.Ratio : primary.Ratio,
            Comparison = primary == null ? null : primary.Comparison,
            FirstReviewer = db.Reviews.Where(r => r.AssessmentId == a.Id).Select(r => r.Reviewer!.DisplayName).OrderBy(n => n).FirstOrDefault(),
            Reviewers = db.Reviews.Where(r => r.AssessmentId == a.Id)
                .OrderBy(r => r.Reviewer!.DisplayName)
                .Select(r => new ReviewerMark(r.Reviewer!.DisplayName, r.SubmittedAt != null, r.Recommendation))
                .ToList(),
        };
}
