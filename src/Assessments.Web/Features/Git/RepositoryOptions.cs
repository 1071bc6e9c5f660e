using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Assessments.Web.Features.Git;

/// <summary>Where the built-in git host keeps its bare repositories. Web nodes serve them and
/// workers read commits from them, so several nodes need this folder on shared storage.</summary>
public sealed partial class RepositoryOptions
{
    public const string Section = "Repositories";

    [Required]
    public string Root { get; set; } = "/var/lib/assessments/repositories";

    /// <summary>The branch that counts: the template is committed on it, and only its pushes
    /// become submissions.</summary>
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._/-]{0,100}$")]
    public string DefaultBranch { get; set; } = "main";

    /// <summary>Whether candidates may push other branches (kept, never graded).</summary>
    public bool AllowOtherBranches { get; set; }

    /// <summary>Whether a push may rewrite the default branch's history.</summary>
    public bool AllowForcePush { get; set; }

    /// <summary>Largest pack one push may send (git's <c>receive.maxInputSize</c>).</summary>
    [Range(1L << 20, long.MaxValue)]
    public long MaxPushBytes { get; set; } = 100L << 20;

    /// <summary>Largest a repository may grow, its objects and the pushed ones together.</summary>
    [Range(1L << 20, long.MaxValue)]
    public long MaxRepositoryBytes { get; set; } = 500L << 20;

    /// <summary>Where the platform's git hooks are written (they enforce the push policy).</summary>
    public string HooksFolder => Path.Combine(Root, ".hooks");

    /// <summary>The bare repository of an assessment: <c>Root/org/assessment.git</c>.</summary>
    public string PathOf(string organisationSlug, string assessmentSlug)
    {
        // Slugs are URL-safe by construction; checked again here because they become a path.
        if (!Slug().IsMatch(organisationSlug) || !Slug().IsMatch(assessmentSlug))
        {
            throw new ArgumentException($"'{organisationSlug}/{assessmentSlug}' is not a pair of slugs.");
        }

        return Path.Combine(Root, organisationSlug, $"{assessmentSlug}.git");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Slug();
}
