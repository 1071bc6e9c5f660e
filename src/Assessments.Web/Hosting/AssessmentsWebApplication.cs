using Assessments.Web.Features.Account;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Health;
using Assessments.Web.Features.Invitations;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Library;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Reviewing;
using Assessments.Web.Features.Scoring;
using Assessments.Web.Features.Security;
using Assessments.Web.Features.Team;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Features.Verification;

namespace Assessments.Web.Hosting;

/// <summary>The composition root of a server process: one <c>AddXxx</c> per area, one <c>MapXxx</c>
/// per feature, each only in the roles that need it.</summary>
public static class AssessmentsWebApplication
{
    public static WebApplication Build(string[] args, ServerRoles roles)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json and wwwroot sit beside the binary, wherever it is started from.
            ContentRootPath = AppContext.BaseDirectory,
            // Fixed, so Razor parts and static assets are found when a test process hosts it.
            ApplicationName = typeof(AssessmentsWebApplication).Assembly.GetName().Name,
        });

        if (!Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot")))
        {
            // Not published (a build output, a test host): serve the stylesheet and script from
            // the project folder through the build's static web assets manifest.
            builder.WebHost.UseStaticWebAssets();
        }

        builder.AddAssessmentsDatabase();
        builder.AddPublicUrl(requiredAtStart: roles.HasFlag(ServerRoles.Web));
        builder.AddJobs();
        builder.AddOperations(roles);
        builder.AddHealth(roles);
        builder.AddGrading(worker: roles.HasFlag(ServerRoles.Worker));
        builder.AddVerification(worker: roles.HasFlag(ServerRoles.Worker));
        builder.AddSubmissions();
        builder.AddGitHub();
        builder.AddMail();
        builder.AddLifecycle();
        builder.AddScoring();
        if (roles.HasFlag(ServerRoles.Web))
        {
            builder.AddSecurity();
            builder.AddAccounts();
            builder.AddGitHost();
            builder.AddReviewing();
            builder.AddLibrary();
            builder.AddTeam();
            builder.AddPages();
        }

        if (roles.HasFlag(ServerRoles.Worker))
        {
            builder.AddJobServers();
        }

        var app = builder.Build();
        // Before mapping: the dashboard resolves Hangfire's storage, which needs valid options.
        StartupChecks.ValidateOptions(app.Services);

        app.MapHealth();
        app.MapMetricsScrape();
        if (roles.HasFlag(ServerRoles.Web))
        {
            app.UseSecurityHeaders();
            app.UseExceptionHandler("/error");
            app.UseStatusCodePages();
            app.UseStaticFiles();
            // Before authentication: a refused guess costs no password hash or token lookup.
            app.UseRateLimiter();
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseAntiforgery();
            app.MapRazorPages();
            app.MapJobsDashboard();
            app.MapWorkerProbes();
            app.MapGitHost();
            app.MapReviewing();
            app.MapLibrary();
            app.MapInvitations();
            app.MapGitHubWebhooks();
        }

        return app;
    }

    private static IHostApplicationBuilder AddPages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarkdownRenderer>();
        builder.Services.AddRazorPages(options =>
        {
            // Pages live in their feature's folder; every page needs a signed-in user unless it says otherwise.
            options.RootDirectory = "/Features";
            options.Conventions.AuthorizeFolder("/");
        });
        return builder;
    }
}
