using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.GitHub;

/// <summary>How the platform reaches GitHub for organisations whose repositories live there.
/// Which GitHub organisation holds the repositories is each organisation's own setting.</summary>
public sealed class GitHubOptions : IValidatableObject
{
    public const string Section = "GitHub";

    /// <summary>The REST API's address: https://api.github.com/ for github.com, or a GitHub
    /// Enterprise Server's (Octokit puts <c>api/v3/</c> in front of paths for any other host).</summary>
    public Uri ApiUrl { get; set; } = new("https://api.github.com/");

    /// <summary>A token allowed to administer the organisations' repositories (a fine-grained
    /// token or an app installation token with Administration, Contents and Webhooks write).</summary>
    public string? Token { get; set; }

    /// <summary>Whether a candidate's repository is archived when the assessment closes, so
    /// nothing changes under the reviewers (the collaborator is removed either way).</summary>
    public bool ArchiveAtClose { get; set; } = true;

    /// <summary>Retries of a rate-limited or failed (5xx, dropped connection) API call.</summary>
    [Range(0, 10, ErrorMessage = "GitHub:MaxRetries must be between 0 and 10: set GitHub__MaxRetries")]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff delay; it doubles with each retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait for a rate limit to reset (<c>Retry-After</c>,
    /// <c>x-ratelimit-reset</c>): a longer one fails the call, and the job that made it is retried
    /// later instead of holding a worker.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Token);

    /// <summary>Checked at start in every process. A missing <see cref="Token"/> is not an error
    /// here: a setup without GitHub organisations needs none, and an organisation that chooses
    /// GitHub is told to set it when its repository is provisioned.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ApiUrl.IsAbsoluteUri || ApiUrl.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"GitHub:ApiUrl '{ApiUrl}' is not an absolute http(s) address: set GitHub__ApiUrl to e.g. https://api.github.com/");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult($"GitHub:RetryDelay ({RetryDelay}) must be positive and at most GitHub:MaxRetryDelay ({MaxRetryDelay}): set GitHub__RetryDelay and GitHub__MaxRetryDelay");
        }
    }
}
