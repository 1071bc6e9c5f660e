using System.Text.RegularExpressions;

namespace Assessments.Web.Data;

/// <summary>Blind review. In an organisation that reviews blind (the default), a member who is to
/// score an assessment sees no one's levels but their own and nothing that names the candidate
/// until they submit: the same rule as <see cref="MaySeeOthers"/>, so an admin who is not
/// reviewing sees the candidate (they invite and decide). Here, beside the data, because the
/// pages, the exports and the git host all apply it. Pages show a stable pseudonym
/// instead of the name; the candidate's email, GitHub login, repository address (its slug is
/// made from the name) and any of these inside commit messages or the diff are masked; a clone
/// is refused, since the history carries the commit author. The candidate's own NOTES.md is
/// shown as written, with a note that it may identify them (decision 019).</summary>
public static class Blinding
{
    /// <summary>What stands in for a masked email, login or repository address.</summary>
    public const string Hidden = "[hidden during blind review]";

    /// <summary>Reviews stay independent: whether a caller with <paramref name="role"/> and
    /// <paramref name="own"/> review (null: none) sees the other reviews of the assessment. A
    /// member who is scoring sees them once they submit; an admin who is not reviewing sees them,
    /// as they make the hiring decision (decision 019). The lists apply it in SQL
    /// (<c>AssessmentRows.ReadBy</c>).</summary>
    public static bool MaySeeOthers(OrganisationRole role, Review? own) =>
        own is { SubmittedAt: not null } || (own is null && role == OrganisationRole.Admin);

    /// <summary>Whether a caller with <paramref name="role"/> and <paramref name="own"/> review reads
    /// the assessment blind.</summary>
    public static bool IsBlind(bool organisationReviewsBlind, OrganisationRole role, Review? own) =>
        organisationReviewsBlind && !MaySeeOthers(role, own);

    /// <summary>The name a blinded reader sees: the same for every reader and page, and different
    /// per assessment (<c>Candidate 3F9A0C</c>).</summary>
    public static string Pseudonym(Guid assessmentId) => $"Candidate {assessmentId.ToString("N")[^6..].ToUpperInvariant()}";

    /// <summary>The candidate's name, email and GitHub login as they may appear in text the
    /// candidate wrote (a sign-off in a commit message, a comment in the code).</summary>
    /// <param name="Slug">The assessment's slug: made from the name, it is in repository paths
    /// that a log or an error may quote.</param>
    public sealed record Identity(Guid AssessmentId, string Name, string Email, string? GitHubLogin, string? Slug = null)
    {
        /// <summary><paramref name="text"/> with every occurrence of the identity replaced, in any case;
        /// the email before the name, so the name inside an address does not leave its domain.</summary>
        public string? Mask(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            if (Slug is { Length: > 0 })
            {
                text = Replace(text, Slug, Hidden);
            }

            text = Replace(text, Email, Hidden);
            // The part of the address before the @ on its own ("ada.lovelace") names them too.
            var local = Email.Split('@')[0];
            if (local.Length >= 3)
            {
                text = Replace(text, local, Hidden);
            }

            // The whole name only: a first name on its own ("Max", "Will") is too often a word of
            // the code or the prose, and masking it would garble the diff.
            text = Replace(text, Name, Pseudonym(AssessmentId));

            return GitHubLogin is { Length: > 0 } login ? WholeWord(text, login, Hidden) : text;
        }

        private static string Replace(string text, string value, string with) =>
            text.Replace(value, with, StringComparison.OrdinalIgnoreCase);

        private static string WholeWord(string text, string value, string with) =>
            Regex.Replace(text, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(value)}(?![\p{{L}}\p{{N}}])", with.Replace("$", "$$", StringComparison.Ordinal), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
