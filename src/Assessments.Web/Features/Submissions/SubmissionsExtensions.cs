using Assessments.Web.Features.Git;
using Assessments.Web.Features.Jobs;

namespace Assessments.Web.Features.Submissions;

public static class SubmissionsExtensions
{
    /// <summary>Recording pushes and giving their gradings jobs: every role, so whichever process
    /// is up dispatches what another left pending. The worker reconciles repositories with their
    /// submissions on a schedule.</summary>
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.AddGitRepositories();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddScoped<IPushRecorder>(services => services.GetRequiredService<SubmissionRecorder>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddScoped<SubmissionRecorder>();
        builder.Services.AddScoped<RepositoryReconciliation>();
        builder.Services.AddRecurringJob<RepositoryReconciliation>(RepositoryReconciliation.RecurringJobId, job => job.RunAsync(RepositoryHost.BuiltIn, CancellationToken.None), "*/2 * * * *");
        builder.Services.AddRecurringJob<RepositoryReconciliation>(RepositoryReconciliation.GitHubRecurringJobId, job => job.RunAsync(RepositoryHost.GitHub, CancellationToken.None), "*/10 * * * *");

        return builder;
    }
}
