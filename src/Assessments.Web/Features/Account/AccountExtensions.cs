using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Features.Account;

public static class AuthorizationPolicies
{
    /// <summary>Site operators: the Hangfire dashboard, worker probes, every organisation's jobs.</summary>
    public const string Operator = "operator";
}

public static class AccountClaims
{
    public const string Operator = "assessments:operator";
}

public static class AccountExtensions
{
    /// <summary>How long a mailed password reset link works.</summary>
    public static readonly TimeSpan ResetLinkLifetime = TimeSpan.FromHours(2);

    /// <summary>Password sign-in with ASP.NET Core Identity and a cookie, reset links; the operator policy.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DataProtectionTokenProviderOptions>(options => options.TokenLifespan = ResetLinkLifetime);

        builder.Services.AddIdentity<User, IdentityRole<Guid>>(ConfigureIdentity)
            .AddEntityFrameworkStores<AssessmentsDbContext>()
            .AddClaimsPrincipalFactory<AssessmentsClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/denied";
            cookie.Cookie.Name = "assessments.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            // APIs answer 401/403; only pages redirect to the login form.
            cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthorizationPolicies.Operator, policy => policy.RequireAuthenticatedUser().RequireClaim(AccountClaims.Operator, "true"));

        return builder;
    }

    /// <summary>Account rules shared by sign-in and by <c>assess admin create</c>.</summary>
    public static void ConfigureIdentity(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        // Length over composition rules (NIST SP 800-63B): a long passphrase is fine as it is.
        options.Password.RequiredLength = 12;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequireDigit = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireLowercase = false;
        // Five tries, then a quarter of an hour: for every account, administrators included.
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        var isPage = HttpMethods.IsGet(context.Request.Method)
            && !path.StartsWithSegments("/api")
            && !path.StartsWithSegments("/ops/worker-probes");
        if (isPage)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }
}
