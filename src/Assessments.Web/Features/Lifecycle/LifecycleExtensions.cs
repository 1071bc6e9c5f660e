using Assessments.Web.Features.Jobs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assessments.Web.Features.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>Inviting, starting, closing and extending assessments (servers and the command
    /// line); <see cref="PublicUrlOptions"/> builds the links they print, so the process registers
    /// it too (<see cref="PublicUrlExtensions.AddPublicUrl"/>, once, by whoever composes it).</summary>
    public static IHostApplicationBuilder AddLifecycle(this IHostApplicationBuilder builder)
    {
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
