using Assessments.Web.Features.Git;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Reviewing;
using Assessments.Web.Features.Security;

namespace Assessments.Web.Features.Invitations;

/// <summary>A push's grading as its candidate follows it on the invitation page: the stages of
/// their own service only (restore, build, public tests, start), each named without what follows a
/// colon, so a phase of the hidden tests is never spelled out. The grader's side (the hidden tests,
/// the benchmarks, the template's service) reads as nothing here; the stream ends, as a reviewer's
/// does, with a <c>finished</c> event.</summary>
public static class CandidateProgressEndpoints
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapInvitations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/invitations/{secret}/gradings/{gradingId:guid}/progress", StreamAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.Invitation)
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>What a candidate may read of a stage's name: "restart:after-restart" is "restart".</summary>
    internal static string PublicStageName(string stage) => stage.Split(':', 2)[0];

    private static async Task<IResult> StreamAsync(
        string secret,
        Guid gradingId,
        HttpContext context,
        AssessmentsDbContext db,
        GradingNotifications notifications,
        CancellationToken cancellationToken)
    {
        var hash = AccessTokens.Hash(secret);
        var theirs = await db.GradingRuns.AnyAsync(
            r => r.Id == gradingId && r.Kind == GradingKind.Candidate && r.Submission!.Assessment!.InvitationTokenHash == hash,
            cancellationToken);
        if (!theirs)
        {
            return Results.NotFound();
        }

        using var follower = notifications.Follow(gradingId);
        await ProgressEndpoints.WriteStagesAsync(
            context,
            follower,
            Poll,
            async (after, ct) => [.. (await db.GradingStageEvents.AsNoTracking()
                    .Where(e => e.GradingRunId == gradingId && e.Id > after && e.Side == StageSide.Candidate)
                    .OrderBy(e => e.Id)
                    .ToListAsync(ct))
                .Select(row => new ProgressEndpoints.StageEvent(row.Id, row.Attempt, PublicStageName(row.Stage), row.Side.ToString(), row.Status?.ToString(), row.DurationMs, row.At))],
            async ct =>
            {
                var status = await db.GradingRuns.AsNoTracking().Where(r => r.Id == gradingId).Select(r => r.Status).SingleAsync(ct);
                return status is GradingStatus.Queued or GradingStatus.Running ? null : "finished";
            },
            cancellationToken);
        return Results.Empty;
    }
}
