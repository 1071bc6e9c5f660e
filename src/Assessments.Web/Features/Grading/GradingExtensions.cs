using Assessments.Web.Features.Git;
using Assessments.Web.Features.Sandbox;

namespace Assessments.Web.Features.Grading;

public static class GradingExtensions
{
    /// <summary>Queuing gradings (every role) and, in the worker role, running them in the
    /// sandbox and reaping what a crashed worker left there.</summary>
    public static IHostApplicationBuilder AddGrading(this IHostApplicationBuilder builder, bool worker)
    {
        builder.AddGitRepositories();
        builder.Services.AddScoped<GradingQueue>();
        if (worker)
        {
            builder.AddSandbox();
            builder.Services.AddScoped<GradingJob>();
            builder.Services.AddHostedService<SandboxReaperService>();
        }

        return builder;
    }
}
