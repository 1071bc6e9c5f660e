namespace Assessments.Web.Data;

public enum Recommendation
{
    StrongHire,
    Hire,
    NoHire,
    StrongNoHire,
}

/// <summary>A reviewer's assignment to an assessment and, once submitted, their rubric scores.</summary>
public sealed class Review
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid AssessmentId { get; set; }

    public Assessment? Assessment { get; set; }

    public Guid ReviewerId { get; set; }

    public User? Reviewer { get; set; }

    public DateTimeOffset AssignedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>Rubric criterion id → score, as JSON.</summary>
    public string Scores { get; set; } = "{}";

    public Recommendation? Recommendation { get; set; }

    public string? Notes { get; set; }
}
