using System.ComponentModel.DataAnnotations;
using Assessments.Web.Features.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Assessments.Web.Features.Team;

/// <summary><c>/team/join/{secret}</c>: where an invited member chooses a name and a password
/// (or, already holding an account with the invited address, signs in and accepts). The link is
/// the credential, so the page is anonymous and its posts are rate-limited like sign-in.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.SignIn)]
public sealed class JoinModel(TeamInvitations invitations, UserManager<User> users, SignInManager<User> signIn) : PageModel
{
    public TeamInvitation? Invitation { get; private set; }

    public string? Error { get; private set; }

    [BindProperty]
    [StringLength(100)]
    public string DisplayName { get; set; } = "";

    [BindProperty]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public bool SignedInAsInvited => User.Identity?.IsAuthenticated == true
        && string.Equals(User.Identity.Name, Invitation?.Email, StringComparison.OrdinalIgnoreCase);

    public async Task<IActionResult> OnGetAsync(string secret, CancellationToken cancellationToken)
    {
        Invitation = await invitations.FindAsync(secret, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string secret, CancellationToken cancellationToken)
    {
        Invitation = await invitations.FindAsync(secret, cancellationToken);
        if (Invitation is null)
        {
            return Page();
        }

        var signedIn = User.Identity?.IsAuthenticated == true ? await users.GetUserAsync(User) : null;
        if (signedIn is null && string.IsNullOrWhiteSpace(DisplayName))
        {
            Error = "Enter your name as your team will see it.";
            return Page();
        }

        try
        {
            var user = await invitations.AcceptAsync(Invitation, DisplayName, Password, signedIn, cancellationToken);
            // A new sign-in, so the cookie carries what the membership changed.
            await signIn.SignInAsync(user, isPersistent: false);
            return LocalRedirect("/assessments");
        }
        catch (TeamInvitationException e)
        {
            Error = e.Message;
            return Page();
        }
    }
}
