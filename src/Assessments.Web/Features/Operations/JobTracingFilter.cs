using System.Diagnostics;
using Hangfire.Server;

namespace Assessments.Web.Features.Operations;

/// <summary>One span per Hangfire job performed (<c>job GradingJob.RunAsync</c>) with the job's id
/// and retry count; the job adds its own ids (a grading's) and every span it starts, the sandbox
/// stages included, nests under it. The job runs inside <see cref="OnPerforming"/>'s execution
/// context, so the span is current for all of it.</summary>
public sealed class JobTracingFilter : IServerFilter
{
    private const string Key = "assessments.activity";

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob.Job;
        var activity = OperationsTelemetry.Source.StartActivity($"job {job.Type.Name}.{job.Method.Name}", ActivityKind.Consumer);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        activity.SetTag("hangfire.job.retry", context.GetJobParameter<int>("RetryCount"));
        context.Items[Key] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(Key, out var item) && item is Activity activity)
        {
            if (context.Exception is { } exception && !context.ExceptionHandled)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception.GetBaseException().Message);
                activity.AddException(exception.GetBaseException());
            }

            activity.Dispose();
        }
    }
}
