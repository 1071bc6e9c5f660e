using System.ComponentModel.DataAnnotations;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Assessments.Web.Features.Account;

/// <summary><c>/account/forgot</c>: mails a password reset link. The answer is the same whether
/// or not the address has an account, so the form tells nobody who has one.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.SignIn)]
public sealed class ForgotModel(UserManager<User> users, IMailSender mail, IOptions<PublicUrlOptions> publicUrl, ILogger<ForgotModel> logger) : PageModel
{
    [BindProperty]
    [Required, EmailAddress]
    public string Email { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await users.FindByEmailAsync(Email.Trim());
        if (user is not null)
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var link = publicUrl.Value.Link($"/account/reset?email={Uri.EscapeDataString(user.Email!)}&token={Uri.EscapeDataString(token)}");
            await mail.SendAsync(new MailMessage(user.Email!, user.DisplayName, "Reset your Assessments password", $"""
                Someone asked to reset the password of {user.Email} on Assessments.

                Choose a new one here (the link works once, for {AccountExtensions.ResetLinkLifetime.TotalHours:0} hours):

                {link}

                If it was not you, ignore this mail: your password stays as it is.
                """), cancellationToken);
            logger.LogInformation("Password reset link mailed to {Email}", user.Email);
        }

        Sent = true;
        return Page();
    }
}
