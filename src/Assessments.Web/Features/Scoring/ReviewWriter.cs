using Assessments.Runner.Scoring;
using Assessments.Scenarios.Manifest;

namespace Assessments.Web.Features.Scoring;

/// <summary>Saves a reviewer's review of an assessment: as a draft, as submitted, or as an amendment
/// of a submitted one. Every save writes the whole review to the audit trail, so an amendment
/// never loses what was submitted before it.</summary>
public sealed class ReviewWriter(AssessmentsDbContext db, TimeProvider clock, ILogger<ReviewWriter> logger)
{
    /// <summary>What the reviewer asked for.</summary>
    public enum Intent
    {
        /// <summary>Keep it as a draft (or, once submitted, amend it).</summary>
        Save,

        /// <summary>Submit it: a recommendation is then required.</summary>
        Submit,
    }

    /// <summary>Validates and saves <paramref name="form"/>; returns the problems, each keyed by the
    /// form field it belongs to, and saves nothing when there are any.</summary>
    /// <param name="suggestions">The levels the evidence suggests, by criterion id.</param>
    public async Task<IReadOnlyList<(string Field, string Message)>> SaveAsync(
        Assessment assessment,
        IReadOnlyList<RubricCriterion> rubric,
        IReadOnlyDictionary<string, CriterionSuggestion> suggestions,
        User reviewer,
        ReviewForm form,
        Intent intent,
        CancellationToken cancellationToken)
    {
        var problems = Validate(rubric, suggestions, form, intent);
        if (problems.Count > 0)
        {
            return problems;
        }

        var review = await db.Reviews.Include(r => r.Criteria)
            .SingleOrDefaultAsync(r => r.AssessmentId == assessment.Id && r.ReviewerId == reviewer.Id, cancellationToken);
        if (review is null)
        {
            review = new Review { AssessmentId = assessment.Id, ReviewerId = reviewer.Id };
            db.Reviews.Add(review);
        }

        var now = clock.GetUtcNow();
        var wasSubmitted = review.SubmittedAt is not null;
        var levels = new Dictionary<string, RubricLevel?>();
        foreach (var criterion in rubric)
        {
            var input = form.Criteria.GetValueOrDefault(criterion.Id) ?? new ReviewForm.CriterionInput();
            var suggested = suggestions.GetValueOrDefault(criterion.Id)?.Level;
            var saved = review.Criteria.SingleOrDefault(c => c.CriterionId == criterion.Id);
            if (saved is null)
            {
                saved = new ReviewCriterion { CriterionId = criterion.Id };
                review.Criteria.Add(saved);
            }

            saved.Level = input.Level;
            saved.Comment = Clean(input.Comment);
            saved.SuggestedLevel = suggested;
            saved.OverrideReason = IsOverride(input.Level, suggested) ? Clean(input.OverrideReason) : null;
            levels[criterion.Id] = input.Level;
        }

        review.Recommendation = form.Recommendation;
        review.Notes = Clean(form.Notes);
        review.Score = RubricScore.Compute(rubric, levels);
        review.UpdatedAt = now;
        if (intent == Intent.Submit && !wasSubmitted)
        {
            review.SubmittedAt = now;
        }

        var action = wasSubmitted ? "review.amended" : intent == Intent.Submit ? "review.submitted" : "review.draft-saved";
        db.AuditEvents.Add(AuditEvent.About(assessment, reviewer.Email ?? reviewer.Id.ToString(), action, new
        {
            reviewer = reviewer.Id,
            score = review.Score,
            recommendation = review.Recommendation?.ToString(),
            notes = review.Notes,
            criteria = review.Criteria.OrderBy(c => c.CriterionId, StringComparer.Ordinal).Select(c => new
            {
                id = c.CriterionId,
                level = c.Level?.ToString(),
                suggested = c.SuggestedLevel?.ToString(),
                c.OverrideReason,
                c.Comment,
            }),
        }));
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Reviewer} {Action} on assessment {AssessmentId}: score {Score}", reviewer.Email, action, assessment.Id, review.Score);
        return [];
    }

    private static List<(string Field, string Message)> Validate(
        IReadOnlyList<RubricCriterion> rubric, IReadOnlyDictionary<string, CriterionSuggestion> suggestions, ReviewForm form, Intent intent)
    {
        var problems = new List<(string, string)>();
        foreach (var unknown in form.Criteria.Keys.Where(k => rubric.All(c => c.Id != k)))
        {
            problems.Add(($"Review.Criteria[{unknown}]", $"'{unknown}' is not a criterion of this scenario's rubric"));
        }

        foreach (var criterion in rubric)
        {
            var input = form.Criteria.GetValueOrDefault(criterion.Id);
            var suggested = suggestions.GetValueOrDefault(criterion.Id)?.Level;
            if (input is not null && IsOverride(input.Level, suggested) && string.IsNullOrWhiteSpace(input.OverrideReason))
            {
                problems.Add(($"Review.Criteria[{criterion.Id}].OverrideReason",
                    $"{criterion.Title}: the evidence suggests {RubricEvidence.Word(suggested!.Value)} and you chose {RubricEvidence.Word(input.Level!.Value)}; say why"));
            }

            if (input?.Comment?.Length > ReviewLimits.Comment || input?.OverrideReason?.Length > ReviewLimits.Comment)
            {
                problems.Add(($"Review.Criteria[{criterion.Id}].Comment", $"{criterion.Title}: at most {ReviewLimits.Comment} characters"));
            }
        }

        if (form.Notes?.Length > ReviewLimits.Notes)
        {
            problems.Add(("Review.Notes", $"Notes: at most {ReviewLimits.Notes} characters"));
        }

        if (intent == Intent.Submit && form.Recommendation is null)
        {
            problems.Add(("Review.Recommendation", "Choose a recommendation to submit; save a draft to finish later"));
        }

        return problems;
    }

    /// <summary>A level chosen against a suggestion; not assessing a criterion is not an override.</summary>
    private static bool IsOverride(RubricLevel? chosen, RubricLevel? suggested) =>
        chosen is not null && suggested is not null && chosen != suggested;

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ReplaceLineEndings("\n");
}
