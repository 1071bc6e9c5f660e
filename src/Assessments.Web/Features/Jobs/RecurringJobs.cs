using System.Linq.Expressions;
using Hangfire;

namespace Assessments.Web.Features.Jobs;

/// <summary>A recurring job, declared by the feature that owns it; the worker role registers every
/// declared one with Hangfire when it starts (<see cref="RecurringJobsRegistration"/>), so no
/// feature registers another's jobs.</summary>
public sealed record RecurringJobDeclaration(string Id, string Cron, Action<IRecurringJobManager> Register);

public static class RecurringJobs
{
    /// <summary>Declares <paramref name="call"/> on <typeparamref name="TJob"/> as recurring job
    /// <paramref name="id"/> on schedule <paramref name="cron"/>.</summary>
    public static IServiceCollection AddRecurringJob<TJob>(this IServiceCollection services, string id, Expression<Func<TJob, Task>> call, string cron) =>
        services.AddSingleton(new RecurringJobDeclaration(id, cron, manager => manager.AddOrUpdate(id, call, cron)));
}

/// <summary>Registers the declared recurring jobs with Hangfire when the worker starts.</summary>
internal sealed class RecurringJobsRegistration(IEnumerable<RecurringJobDeclaration> declarations, IRecurringJobManager recurringJobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var declaration in declarations)
        {
            declaration.Register(recurringJobs);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
