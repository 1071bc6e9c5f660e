using Assessments.Scenarios.Manifest;

namespace Assessments.Web.Data;

/// <summary>A reviewer's overall call on a candidate; the pages say it as "strong yes" … "strong no".</summary>
public enum Recommendation
{
    StrongHire,
    Hire,
    NoHire,
    StrongNoHire,
}

/// <summary>One reviewer's review of one assessment: a level and comment per rubric criterion, a
/// recommendation and notes. A draft until submitted; a submitted review can be amended, and the
/// audit trail keeps every saved version.</summary>
public sealed class Review
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid AssessmentId { get; set; }

    public Assessment? Assessment { get; set; }

    public Guid ReviewerId { get; set; }

    public User? Reviewer { get; set; }

    /// <summary>When the review began: assigned by an admin, or first saved by the reviewer.</summary>
    public DateTimeOffset AssignedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The admin who assigned it; null when the reviewer began it of their own accord.</summary>
    public Guid? AssignedById { get; set; }

    /// <summary>When the reviewer was mailed that the assessment is ready for their review.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    public Recommendation? Recommendation { get; set; }

    public string? Notes { get; set; }

    /// <summary>The weighted score of the levels (<see cref="RubricScore"/>), kept with the levels
    /// it was computed from so lists can sort and average it; null while nothing is assessed.</summary>
    public double? Score { get; set; }

    public List<ReviewCriterion> Criteria { get; set; } = [];
}

/// <summary>A reviewer's level for one rubric criterion.</summary>
public sealed class ReviewCriterion
{
    public Guid ReviewId { get; set; }

    /// <summary>The rubric criterion's id in the scenario version's manifest.</summary>
    public required string CriterionId { get; set; }

    /// <summary>Null: not assessed.</summary>
    public RubricLevel? Level { get; set; }

    public string? Comment { get; set; }

    /// <summary>The level the evidence suggested when the reviewer saved, if it suggested one.</summary>
    public RubricLevel? SuggestedLevel { get; set; }

    /// <summary>Why the reviewer chose another level than the suggested one.</summary>
    public string? OverrideReason { get; set; }
}

/// <summary>How much text a review keeps; the form says so before the database would refuse.</summary>
public static class ReviewLimits
{
    public const int Comment = 4000;

    public const int Notes = 20000;
}
