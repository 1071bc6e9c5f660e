namespace Assessments.Web.Features.Scoring;

/// <summary>Who may score, and who sees whose levels. Reviews stay independent: a member who is
/// scoring an assessment sees no other reviewer's levels, recommendation or score until they
/// submit their own. Admins, who make the hiring decision, see them when they have no review of
/// their own in progress (decision 019). The assessments list applies the same rule in SQL
/// (<see cref="Reviewing.AssessmentRows"/>).</summary>
public static class ReviewRules
{
    /// <summary>Admins and reviewers score; authors write scenarios and only read reports.</summary>
    public static bool MayScore(OrganisationRole role) => role is OrganisationRole.Admin or OrganisationRole.Reviewer;

    /// <summary>Whether a caller with <paramref name="role"/> and <paramref name="own"/> review
    /// (null: none) sees the other reviews of the assessment.</summary>
    public static bool MaySeeOthers(OrganisationRole role, Review? own) =>
        own is { SubmittedAt: not null } || (own is null && role == OrganisationRole.Admin);

    /// <summary>The recommendation as the pages say it.</summary>
    public static string Words(Recommendation? recommendation) => recommendation switch
    {
        Recommendation.StrongHire => "strong yes",
        Recommendation.Hire => "yes",
        Recommendation.NoHire => "no",
        Recommendation.StrongNoHire => "strong no",
        _ => "—",
    };
}
