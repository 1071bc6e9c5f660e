using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Security;

/// <summary>How many requests one client address may send per minute to the endpoints a guesser
/// would hammer: sign-in and password reset (posts only), invitation links, and the git host.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Posts to the sign-in, reset and accept-invitation forms. Lockout stops guessing one
    /// account's password; this stops trying one password on many accounts.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:SignInPerMinute must be between 1 and 100000: set RateLimits__SignInPerMinute")]
    public int SignInPerMinute { get; set; } = 10;

    /// <summary>Requests to candidate invitation pages, whose secret is the only credential.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:InvitationPerMinute must be between 1 and 100000: set RateLimits__InvitationPerMinute")]
    public int InvitationPerMinute { get; set; } = 60;

    /// <summary>Requests to <c>/git/…</c>; a clone or push takes two or three.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:GitPerMinute must be between 1 and 100000: set RateLimits__GitPerMinute")]
    public int GitPerMinute { get; set; } = 120;
}
