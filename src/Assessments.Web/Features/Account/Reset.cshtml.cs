using System.ComponentModel.DataAnnotations;
using Assessments.Web.Features.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Assessments.Web.Features.Account;

/// <summary><c>/account/reset</c>: the mailed link's page, where a new password is chosen. The
/// link proves the address, so it also lifts a lockout.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.SignIn)]
public sealed class ResetModel(UserManager<User> users, ILogger<ResetModel> logger) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Email { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    [BindProperty]
    [Required, DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.FindByEmailAsync(Email);
        var result = user is null ? null : await users.ResetPasswordAsync(user, Token, Password);
        if (result is not { Succeeded: true })
        {
            Error = result is null || result.Errors.Any(e => e.Code == "InvalidToken")
                ? "This link does not work: it was used already or has expired. Ask for a new one."
                : string.Join(" ", result.Errors.Select(e => e.Description));
            return Page();
        }

        await users.SetLockoutEndDateAsync(user!, null);
        await users.ResetAccessFailedCountAsync(user!);
        logger.LogInformation("Password of {Email} reset through a mailed link", user!.Email);
        Done = true;
        return Page();
    }
}
