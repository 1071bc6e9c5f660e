using System.Text.Json;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Reviewing;

namespace Assessments.Web.Features.Library;

/// <summary>A verification's stages as server-sent events, in the shape of a grading's
/// (<see cref="ProgressEndpoints"/>), each stage named after the grading it belongs to
/// (<c>solution · benchmarks</c>), so the library page shows them with the same script. The
/// stream ends with a <c>finished</c> event once the verification has an outcome.</summary>
public static class VerificationProgressEndpoints
{
    /// <summary>Stage rows are nudged per grading, not per verification: read them this often.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapLibrary(this IEndpointRouteBuilder app)
    {
        app.MapGet("/scenarios/verifications/{verificationId:guid}/progress", StreamAsync)
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> StreamAsync(
        Guid verificationId,
        HttpContext context,
        AssessmentsDbContext db,
        GradingNotifications notifications,
        CancellationToken cancellationToken)
    {
        var userId = context.User.UserId();
        var visible = await db.ScenarioVerifications
            .AnyAsync(v => v.Id == verificationId && db.Scenarios.VisibleTo(db, userId).Any(s => s.Id == v.ScenarioVersion!.ScenarioId), cancellationToken);
        if (!visible)
        {
            return Results.NotFound();
        }

        var after = long.TryParse(context.Request.Headers["Last-Event-ID"], out var lastSeen) ? lastSeen : 0;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        using var follower = notifications.Follow(verificationId);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var status = await db.ScenarioVerifications.AsNoTracking().Where(v => v.Id == verificationId).Select(v => v.Status).SingleAsync(cancellationToken);
                var events = await db.GradingStageEvents.AsNoTracking()
                    .Where(e => e.Id > after)
                    .Join(db.GradingRuns.Where(r => r.VerificationId == verificationId), e => e.GradingRunId, r => r.Id, (e, r) => new { Event = e, r.Subject })
                    .OrderBy(x => x.Event.Id)
                    .ToListAsync(cancellationToken);
                foreach (var (row, subject) in events.Select(x => (x.Event, x.Subject)))
                {
                    var e = new ProgressEndpoints.StageEvent(row.Id, row.Attempt, $"{subject} · {row.Stage}", row.Side.ToString(), row.Status?.ToString(), row.DurationMs, row.At);
                    await response.WriteAsync($"id: {e.Id}\nevent: stage\ndata: {JsonSerializer.Serialize(e, JsonSerializerOptions.Web)}\n\n", cancellationToken);
                    after = e.Id;
                }

                if (status is not (ScenarioVerificationStatus.Queued or ScenarioVerificationStatus.Running))
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
