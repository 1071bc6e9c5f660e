using System.Text.Json;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Grading;

namespace Assessments.Web.Features.Reviewing;

/// <summary>A grading's stages as server-sent events, for the report page while the grading
/// runs. Each event's id is its row's id: a browser that reconnects sends <c>Last-Event-ID</c>
/// and gets every stage after it, so none is lost. The stream ends with a <c>finished</c> event
/// once the grading has a result.</summary>
public static class ProgressEndpoints
{
    /// <summary>How long a stream waits for a nudge before it reads the rows anyway, and writes
    /// a comment so proxies keep the connection open.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapReviewing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assessments/{assessmentId:guid}/gradings/{gradingId:guid}/progress", StreamAsync)
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>One stage start or end as the page shows it.</summary>
    public sealed record StageEvent(long Id, int Attempt, string Stage, string Side, string? Status, double? DurationMs, DateTimeOffset At);

    private static async Task<IResult> StreamAsync(
        Guid assessmentId,
        Guid gradingId,
        HttpContext context,
        AssessmentsDbContext db,
        GradingNotifications notifications,
        CancellationToken cancellationToken)
    {
        var userId = context.User.UserId();
        var visible = await db.GradingRuns.VisibleTo(db, userId)
            .AnyAsync(r => r.Id == gradingId && r.Submission!.AssessmentId == assessmentId, cancellationToken);
        if (!visible)
        {
            return Results.NotFound();
        }

        using var follower = notifications.Follow(gradingId);
        await WriteStagesAsync(
            context,
            follower,
            Poll,
            async (after, ct) => [.. (await db.GradingStageEvents.AsNoTracking()
                    .Where(e => e.GradingRunId == gradingId && e.Id > after)
                    .OrderBy(e => e.Id)
                    .ToListAsync(ct))
                .Select(row => new StageEvent(row.Id, row.Attempt, row.Stage, row.Side.ToString(), row.Status?.ToString(), row.DurationMs, row.At))],
            async ct =>
            {
                var status = await db.GradingRuns.AsNoTracking().Where(r => r.Id == gradingId).Select(r => r.Status).SingleAsync(ct);
                return status is GradingStatus.Queued or GradingStatus.Running ? null : status.ToString();
            },
            cancellationToken);
        return Results.Empty;
    }

    /// <summary>Writes <paramref name="stagesAfter"/>'s events as server-sent events, each with its
    /// row's id, until <paramref name="finished"/> gives the work's final state: then a
    /// <c>finished</c> event ends the stream. The state is read before the stages, so stages
    /// written just before the end are sent before it. Between reads it waits for a nudge or
    /// <paramref name="poll"/>, and writes a comment so proxies keep the connection open.</summary>
    internal static async Task WriteStagesAsync(
        HttpContext context,
        GradingNotifications.Follower follower,
        TimeSpan poll,
        Func<long, CancellationToken, Task<List<StageEvent>>> stagesAfter,
        Func<CancellationToken, Task<string?>> finished,
        CancellationToken cancellationToken)
    {
        var after = long.TryParse(context.Request.Headers["Last-Event-ID"], out var lastSeen) ? lastSeen : 0;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        // Tells nginx not to hold the events back in its buffer.
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var state = await finished(cancellationToken);
                foreach (var e in await stagesAfter(after, cancellationToken))
                {
                    await response.WriteAsync($"id: {e.Id}\nevent: stage\ndata: {JsonSerializer.Serialize(e, JsonSerializerOptions.Web)}\n\n", cancellationToken);
                    after = e.Id;
                }

                if (state is not null)
                {
                    await response.WriteAsync($"event: finished\ndata: {state}\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    return;
                }

                await response.WriteAsync(": waiting\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                await follower.WaitAsync(poll, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader left.
        }
    }
}
