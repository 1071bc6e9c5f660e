namespace Assessments.Web.Features.Submissions;

public static class SubmissionsExtensions
{
    /// <summary>Recording pushes and dispatching their gradings through the outbox: every role, so
    /// whichever process is up dispatches what another left pending.</summary>
    /// <param name="worker">The worker role also reconciles repositories with their submissions.</param>
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder, bool worker)
    {
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddScoped<SubmissionRecorder>();
        builder.Services.AddScoped<RepositoryReconciliation>();
        if (worker)
        {
            builder.Services.AddHostedService<RecurringJobsRegistration>();
        }

        return builder;
    }
}
