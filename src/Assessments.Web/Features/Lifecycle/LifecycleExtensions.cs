using Assessments.Web.Features.Jobs;
using Assessments.Web.Hosting;
using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assessments.Web.Features.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>Inviting, starting, closing and extending assessments (servers and the command
    /// line); <see cref="PublicUrlOptions"/> builds the links they print.</summary>
    public static IHostApplicationBuilder AddLifecycle(this IHostApplicationBuilder builder)
    {
        // Checked when a link is built; the web role also checks it at start.
        builder.Services.AddOptions<PublicUrlOptions>()
            .BindConfiguration(PublicUrlOptions.Section)
            .ValidateDataAnnotations();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AssessmentLifecycle>();
        builder.Services.AddScoped<DeadlineJob>();
        builder.Services.AddRecurringJob<DeadlineJob>(DeadlineJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        return builder;
    }
}

/// <summary>Closes assessments whose deadline passed, every minute on the worker.</summary>
public sealed class DeadlineJob(AssessmentLifecycle lifecycle)
{
    public const string RecurringJobId = "close-expired-assessments";

    [Queue(JobQueues.Default)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => lifecycle.CloseExpiredAsync(cancellationToken);
}
