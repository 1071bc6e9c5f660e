using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Assessments.Web.Features.Repositories;

/// <summary>Where the built-in git host keeps its bare repositories. Web nodes serve them and
/// workers read commits from them, so several nodes need this folder on shared storage.</summary>
public sealed partial class RepositoryOptions
{
    public const string Section = "Repositories";

    [Required]
    public string Root { get; set; } = "/var/lib/assessments/repositories";

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
