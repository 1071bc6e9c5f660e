using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Operations;
using Assessments.Web.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Assessments.Web.Tests.Features.Operations;

/// <summary>The spans an OTLP collector receives: one per Hangfire job performed, by a real
/// Hangfire server on the app's storage, and one per sandbox stage under the job's, with the
/// grading's ids.</summary>
public sealed class TracingTests : IDisposable
{
    private const string Queue = "ops_tracing_test";

    private readonly WebApp _app;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests(WebApp app)
    {
        _app = app;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OperationsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task EachJobAHangfireServerPerformsIsASpanTheJobRunsInAndAFailureMarksIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var storage = _app.Services.GetRequiredService<JobStorage>();
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { Queues = [Queue], WorkerCount = 1, ServerName = $"tracing-test-{Guid.NewGuid():N}" }, storage);
        var client = new BackgroundJobClient(storage);
        var marker = Guid.NewGuid().ToString();
        var succeeding = client.Create(Job.FromExpression(() => TracedJobs.Record(marker)), new EnqueuedState(Queue));
        var failing = client.Create(Job.FromExpression(() => TracedJobs.Fail(marker)), new EnqueuedState(Queue));

        var span = await SpanAsync(s => s.GetTagItem("hangfire.job.id") as string == succeeding, ct);
        Assert.Equal("job TracedJobs.Record", span.DisplayName);
        Assert.Equal(ActivityKind.Consumer, span.Kind);
        Assert.Equal(0, span.GetTagItem("hangfire.job.retry"));
        // The job ran inside it: what it starts nests under the job's span.
        Assert.Equal(span.SpanId.ToHexString(), TracedJobs.SeenSpans[marker]);
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);

        var failed = await SpanAsync(s => s.GetTagItem("hangfire.job.id") as string == failing, ct);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains(marker, failed.StatusDescription);
    }

    [Fact]
    public async Task EachSandboxStageIsASpanUnderTheJobsWithTheGradingsIdsAndItsDuration()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = new GradingRun { Kind = GradingKind.Candidate, Submission = new Submission { AssessmentId = Guid.NewGuid(), CommitSha = new string('a', 40) } };
        run.SubmissionId = run.Submission.Id;
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_app.Database.ConnectionString);

        using (var job = OperationsTelemetry.Source.StartActivity("job GradingJob.RunAsync"))
        {
            await using var recorder = new StageRecorder(dataSource, run.Id, 1, new StringBuilder(), 1024, NullLogger.Instance, OperationsTelemetry.GradingTags(run));
            recorder.Report(new GradingProgress("build", Side.Candidate, null));
            recorder.Report(new GradingProgress("build", Side.Candidate, new StageOutcome("build", Side.Candidate, StageStatus.Ok, 8_400, 0)));
            recorder.Report(new GradingProgress("hidden-tests:main", Side.Grader, new StageOutcome("hidden-tests:main", Side.Grader, StageStatus.Failed, 1_500, 1)));
            Assert.NotNull(job);
        }

        var build = await SpanAsync(s => s.DisplayName == "stage build" && s.GetTagItem(OperationsTelemetry.GradingId) as string == run.Id.ToString(), ct);
        var parent = await SpanAsync(s => s.DisplayName == "job GradingJob.RunAsync" && s.SpanId == build.ParentSpanId, ct);
        Assert.Equal(parent.TraceId, build.TraceId);
        Assert.Equal(run.SubmissionId.ToString(), build.GetTagItem(OperationsTelemetry.SubmissionId));
        Assert.Equal(run.Submission.AssessmentId.ToString(), build.GetTagItem(OperationsTelemetry.AssessmentId));
        Assert.Equal(("candidate", "ok"), (build.GetTagItem("assessments.stage.side"), build.GetTagItem("assessments.stage.status")));
        Assert.InRange(build.Duration.TotalMilliseconds, 8_399, 8_401);
        Assert.NotEqual(ActivityStatusCode.Error, build.Status);

        var tests = await SpanAsync(s => s.DisplayName == "stage hidden-tests:main" && s.GetTagItem(OperationsTelemetry.GradingId) as string == run.Id.ToString(), ct);
        Assert.Equal(ActivityStatusCode.Error, tests.Status);
        Assert.Equal(1, tests.GetTagItem("assessments.stage.exit_code"));
    }

    private async Task<Activity> SpanAsync(Func<Activity, bool> match, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_stopped.FirstOrDefault(match) is { } span)
            {
                return span;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"No such span after a minute; stopped: {string.Join(", ", _stopped.Select(s => s.DisplayName))}");
            await Task.Delay(50, ct);
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>Jobs for <see cref="TracingTests"/>: public and static, as Hangfire calls them.</summary>
public static class TracedJobs
{
    public static readonly ConcurrentDictionary<string, string> SeenSpans = new();

    public static void Record(string marker) => SeenSpans[marker] = Activity.Current?.SpanId.ToHexString() ?? "none";

    [AutomaticRetry(Attempts = 0)]
    public static void Fail(string marker) => throw new InvalidOperationException($"failing on purpose ({marker})");
}
