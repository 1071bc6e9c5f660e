using Assessments.Scenarios.Manifest;

namespace Assessments.Web.Features.Scoring;

/// <summary>The scoring panel as posted: a level, comment and override reason per criterion, the
/// recommendation and notes.</summary>
public sealed class ReviewForm
{
    public Dictionary<string, CriterionInput> Criteria { get; set; } = [];

    public Recommendation? Recommendation { get; set; }

    public string? Notes { get; set; }

    /// <summary>One criterion's inputs; an empty level is "not assessed".</summary>
    public sealed class CriterionInput
    {
        public RubricLevel? Level { get; set; }

        public string? Comment { get; set; }

        public string? OverrideReason { get; set; }
    }

    /// <summary>The form filled from a saved review, for the panel to show it again.</summary>
    public static ReviewForm From(Review? review) => review is null ? new ReviewForm() : new ReviewForm
    {
        Criteria = review.Criteria.ToDictionary(c => c.CriterionId, c => new CriterionInput { Level = c.Level, Comment = c.Comment, OverrideReason = c.OverrideReason }),
        Recommendation = review.Recommendation,
        Notes = review.Notes,
    };
}
