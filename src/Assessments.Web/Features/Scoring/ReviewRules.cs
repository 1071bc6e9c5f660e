namespace Assessments.Web.Features.Scoring;

/// <summary>Who may score, and how reviews are worded. Who sees whose levels is
/// <see cref="Blinding.MaySeeOthers"/>, beside the data, since the git host applies it too.</summary>
public static class ReviewRules
{
    /// <summary>Admins and reviewers score; authors write scenarios and only read reports.</summary>
    public static bool MayScore(OrganisationRole role) => role is OrganisationRole.Admin or OrganisationRole.Reviewer;

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
