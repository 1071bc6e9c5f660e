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

        var after = long.TryParse(context.Request.Headers["Last-Event-ID"], out var lastSeen) ? lastSeen : 0;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        // Tells nginx not to hold the events back in its buffer.
        response.Headers["X-Accel-Buffering"] = "no";
        using var follower = notifications.Follow(gradingId);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Status first: a grading that finished after this read still has its stages read below.
                var status = await db.GradingRuns.AsNoTracking().Where(r => r.Id == gradingId).Select(r => r.Status).SingleAsync(cancellationToken);
                var events = await db.GradingStageEvents.AsNoTracking()
                    .Where(e => e.GradingRunId == gradingId && e.Id > after)
                    .OrderBy(e => e.Id)
                    .ToListAsync(cancellationToken);
                foreach (var row in events)
                {
                    var e = new StageEvent(row.Id, row.Attempt, row.Stage, row.Side.ToString(), row.Status?.ToString(), row.DurationMs, row.At);
                    await response.WriteAsync($"id: {e.Id}\nevent: stage\ndata: {JsonSerializer.Serialize(e, JsonSerializerOptions.Web)}\n\n", cancellationToken);
                    after = e.Id;
                }

                if (status is not (GradingStatus.Queued or GradingStatus.Running))
                {
                    await response.WriteAsync($"event: finished\ndata: {status}\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    break;
                }

                await response.WriteAsync(": waiting\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                await follower.WaitAsync(Poll, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader left.
        }

        return Results.Empty;
    }
}
