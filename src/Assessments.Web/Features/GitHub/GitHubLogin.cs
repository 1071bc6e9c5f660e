using System.Text.RegularExpressions;

namespace Assessments.Web.Features.GitHub;

/// <summary>GitHub's rule for user and organisation names: letters, digits and single hyphens
/// between them, at most 39 characters.</summary>
public static partial class GitHubLogin
{
    public static bool IsValid(string text) => Shape().IsMatch(text);

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")]
    private static partial Regex Shape();
}
