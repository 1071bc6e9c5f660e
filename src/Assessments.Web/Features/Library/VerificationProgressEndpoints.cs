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

        using var follower = notifications.Follow(verificationId);
        await ProgressEndpoints.WriteStagesAsync(
            context,
            follower,
            Poll,
            async (after, ct) => [.. (await db.GradingStageEvents.AsNoTracking()
                    .Where(e => e.Id > after)
                    .Join(db.GradingRuns.Where(r => r.VerificationId == verificationId), e => e.GradingRunId, r => r.Id, (e, r) => new { Event = e, r.Subject })
                    .OrderBy(x => x.Event.Id)
                    .ToListAsync(ct))
                .Select(x => new ProgressEndpoints.StageEvent(x.Event.Id, x.Event.Attempt, $"{x.Subject} · {x.Event.Stage}", x.Event.Side.ToString(), x.Event.Status?.ToString(), x.Event.DurationMs, x.Event.At))],
            async ct =>
            {
                var status = await db.ScenarioVerifications.AsNoTracking().Where(v => v.Id == verificationId).Select(v => v.Status).SingleAsync(ct);
                return status is ScenarioVerificationStatus.Queued or ScenarioVerificationStatus.Running ? null : status.ToString();
            },
            cancellationToken);
        return Results.Empty;
    }
}
