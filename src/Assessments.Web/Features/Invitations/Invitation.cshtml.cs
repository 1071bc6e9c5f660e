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

    public Submission? Final { get; private set; }

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
        Final = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.AssessmentId == assessment.Id && s.IsFinal, cancellationToken);
        return true;
    }
}
