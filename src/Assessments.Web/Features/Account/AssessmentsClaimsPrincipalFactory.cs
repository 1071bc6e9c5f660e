using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Features.Account;

/// <summary>Adds the site-wide operator flag to the sign-in cookie.</summary>
internal sealed class AssessmentsClaimsPrincipalFactory(
    UserManager<User> userManager,
    RoleManager<IdentityRole<Guid>> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<User, IdentityRole<Guid>>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim("name", user.DisplayName));
        if (user.IsOperator)
        {
            identity.AddClaim(new Claim(AccountClaims.Operator, "true"));
        }

        return identity;
    }
}
