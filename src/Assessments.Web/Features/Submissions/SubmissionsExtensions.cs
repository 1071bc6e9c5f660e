namespace Assessments.Web.Features.Submissions;

public static class SubmissionsExtensions
{
    /// <summary>Recording pushes and dispatching their gradings through the outbox: every role, so
    /// whichever process is up dispatches what another left pending.</summary>
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddScoped<SubmissionRecorder>();
        return builder;
    }
}
