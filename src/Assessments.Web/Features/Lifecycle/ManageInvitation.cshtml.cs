using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Lifecycle;

/// <summary><c>/assessments/{id}/invitation</c>: an admin looks after one invitation: sends it
/// again with a new link, gives more time, or revokes it (the link and the git token stop working
/// at once, the repository is kept). Each is the lifecycle's own step, audited as
/// <c>assess assessment resend|extend|revoke</c> are. Other members are refused; another
/// organisation's assessment does not exist.</summary>
public sealed class ManageInvitationModel(AssessmentsDbContext db, AssessmentLifecycle lifecycle) : PageModel
{
    /// <summary>The extensions the form offers, in hours.</summary>
    public static readonly IReadOnlyList<int> ExtensionHours = [1, 2, 4, 24, 48];

    public Assessment Assessment { get; private set; } = null!;

    public string ScenarioTitle { get; private set; } = "";

    /// <summary>What the last action did (a resent link is shown here once).</summary>
    public string? Message { get; private set; }

    public string? NewLink { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The audited history of the invitation, newest first.</summary>
    public IReadOnlyList<AuditEvent> History { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ?? Page();

    public Task<IActionResult> OnPostResendAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, async actor =>
        {
            var sent = await lifecycle.ResendAsync(id, actor, cancellationToken);
            NewLink = sent.Link;
            Message = $"Sent again with a new link ({sent.Mail}); the old link no longer works.";
        }, cancellationToken);

    public Task<IActionResult> OnPostExtendAsync(Guid id, int hours, CancellationToken cancellationToken) =>
        ActAsync(id, async actor =>
        {
            if (!ExtensionHours.Contains(hours))
            {
                throw new AssessmentStateException($"Extend by one of {string.Join(", ", ExtensionHours)} hours.");
            }

            var extended = await lifecycle.ExtendAsync(id, TimeSpan.FromHours(hours), actor, cancellationToken);
            Message = extended.EffectiveDeadline is { } end ? $"Extended by {hours} h: it now ends {end:u}." : $"Extended by {hours} h: the time limit grows once the candidate starts.";
        }, cancellationToken);

    public Task<IActionResult> OnPostRevokeAsync(Guid id, string? reason, CancellationToken cancellationToken) =>
        ActAsync(id, async actor =>
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw new AssessmentStateException("Say why the invitation is revoked: the reason goes into the audit log.");
            }

            await lifecycle.RevokeAsync(id, actor, reason.Trim(), cancellationToken);
            Message = "Revoked: the link now says the invitation was withdrawn, and the git token no longer works. The repository is kept.";
        }, cancellationToken);

    private async Task<IActionResult> ActAsync(Guid id, Func<string, Task> action, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var actor = await db.Users.Where(u => u.Id == User.UserId()).Select(u => u.Email).SingleAsync(cancellationToken) ?? User.UserId().ToString();
        try
        {
            await action(actor);
        }
        catch (AssessmentStateException e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        db.ChangeTracker.Clear();
        return await LoadAsync(id, cancellationToken) ?? Page();
    }

    /// <summary>Null when the caller may manage it (the page's data loaded); else the answer.</summary>
    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var found = await db.Assessments.AsNoTracking().VisibleTo(db, userId)
            .Where(a => a.Id == id)
            .Select(a => new
            {
                Assessment = a,
                a.Candidate,
                a.ScenarioVersion!.Scenario!.Title,
                IsAdmin = db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == a.OrganisationId && m.Role == OrganisationRole.Admin),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        if (!found.IsAdmin)
        {
            return Forbid();
        }

        Assessment = found.Assessment;
        Assessment.Candidate = found.Candidate;
        ScenarioTitle = found.Title;
        History = await db.AuditEvents.AsNoTracking()
            .Where(e => e.SubjectId == id.ToString() && e.Action.StartsWith("assessment."))
            .OrderByDescending(e => e.Id)
            .Take(50)
            .ToListAsync(cancellationToken);
        return null;
    }
}
