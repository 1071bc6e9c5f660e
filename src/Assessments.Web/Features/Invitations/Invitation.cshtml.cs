using System.Text.Json;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Git;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Assessments.Web.Features.Security;

namespace Assessments.Web.Features.Invitations;

/// <summary>The candidate's page, reached through the invitation link (its secret is the only
/// credential): the brief, "Start", the clone address and token (shown once, re-issuable), the
/// deadline in the viewer's own time zone, and "I'm done".</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.Invitation)]
public sealed class InvitationModel(AssessmentsDbContext db, AssessmentLifecycle lifecycle) : PageModel
{
    private const string Actor = "candidate";

    public Assessment Assessment { get; private set; } = null!;

    public ScenarioManifest Manifest { get; private set; } = null!;

    /// <summary>Set only in the answer to "Start" or "New token": never stored in the clear.</summary>
    public StartedAssessment? Shown { get; private set; }

    /// <summary>The push recorded as final, once the assessment closed.</summary>
    public PushView? Final => Pushes.FirstOrDefault(p => p.IsFinal);

    /// <summary>What a candidate sees of one push: when, which commit, how its grading stands, and
    /// the public tests (theirs to read anyway). Hidden tests, metrics and findings are never
    /// loaded here, so no change to the view can show them.</summary>
    public sealed record PushView(string Commit, string? Subject, DateTimeOffset ReceivedAt, bool IsFinal, GradingView? Grading);

    public sealed record GradingView(Guid Id, GradingStatus Status, bool BuildFailed, IReadOnlyList<PublicTest> PublicTests)
    {
        public bool IsLive => Status is GradingStatus.Queued or GradingStatus.Running;
    }

    public sealed record PublicTest(string Name, TestResultStatus Status, string? Message);

    /// <summary>Newest first.</summary>
    public IReadOnlyList<PushView> Pushes { get; private set; } = [];

    /// <summary>How much of a public test's message the page shows.</summary>
    public const int MessageChars = 2000;

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string secret, CancellationToken cancellationToken) =>
        await LoadAsync(secret, cancellationToken) ? Page() : NotFound();

    public Task<IActionResult> OnPostStartAsync(string secret, CancellationToken cancellationToken) =>
        ActAsync(secret, async id => Shown = await lifecycle.StartAsync(id, Actor, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostTokenAsync(string secret, CancellationToken cancellationToken) =>
        ActAsync(secret, async id => Shown = await lifecycle.IssueTokenAsync(id, Actor, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostDoneAsync(string secret, CancellationToken cancellationToken) =>
        ActAsync(secret, id => lifecycle.CloseAsync(id, Actor, "candidate finished", cancellationToken), cancellationToken);

    private async Task<IActionResult> ActAsync(string secret, Func<Guid, Task> action, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(secret, cancellationToken))
        {
            return NotFound();
        }

        if (Assessment.Status == AssessmentStatus.Cancelled)
        {
            // Withdrawn: the page says so, and a form posted from before (or a reload) does nothing.
            return Page();
        }

        try
        {
            await action(Assessment.Id);
        }
        catch (AssessmentStateException e)
        {
            Error = e.Message;
        }

        db.ChangeTracker.Clear();
        await LoadAsync(secret, cancellationToken);
        return Page();
    }

    private async Task<bool> LoadAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = AccessTokens.Hash(secret);
        var assessment = await db.Assessments.AsNoTracking()
            .Include(a => a.ScenarioVersion).ThenInclude(v => v!.Scenario)
            .Include(a => a.Candidate)
            .SingleOrDefaultAsync(a => a.InvitationTokenHash == hash, cancellationToken);
        if (assessment is null)
        {
            return false;
        }

        Assessment = assessment;
        Manifest = JsonSerializer.Deserialize<ScenarioManifest>(assessment.ScenarioVersion!.Manifest, JsonSerializerOptions.Web)!;
        await LoadPushesAsync(assessment.Id, cancellationToken);
        return true;
    }

    private async Task LoadPushesAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        var pushes = await db.Submissions.AsNoTracking()
            .Where(s => s.AssessmentId == assessmentId)
            .OrderByDescending(s => s.ReceivedAt)
            .Select(s => new
            {
                s.CommitSha,
                s.Message,
                s.ReceivedAt,
                s.IsFinal,
                Grading = db.GradingRuns
                    .Where(r => r.SubmissionId == s.Id && r.Kind == GradingKind.Candidate)
                    .OrderByDescending(r => r.QueuedAt)
                    .Select(r => new
                    {
                        r.Id,
                        r.Status,
                        r.Verdict,
                        Public = r.Tests.Where(t => t.Visibility == TestResultVisibility.Public).OrderBy(t => t.Ordinal)
                            .Select(t => new PublicTest(t.Name, t.Status, t.Message == null ? null : t.Message.Substring(0, MessageChars)))
                            .ToList(),
                    })
                    .FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        Pushes = [.. pushes.Select(p => new PushView(
            p.CommitSha,
            p.Message?.Split('\n', 2)[0],
            p.ReceivedAt,
            p.IsFinal,
            p.Grading is { } g ? new GradingView(g.Id, g.Status, g.Verdict == GradingVerdict.BuildFailed, g.Public) : null))];
    }
}
