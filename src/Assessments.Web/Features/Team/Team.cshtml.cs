using System.ComponentModel.DataAnnotations;
using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Team;

/// <summary><c>/organisations/{slug}/team</c>, for the organisation's admins: its members and
/// their roles, pending invitations, and the form that mails a new one. An organisation keeps at
/// least one admin. Not a member: 404; a member but not an admin: 403.</summary>
public sealed class TeamModel(AssessmentsDbContext db, UserManager<User> users, TeamInvitations invitations) : PageModel
{
    public sealed record MemberRow(Guid UserId, string Name, string Email, OrganisationRole Role, DateTimeOffset Since);

    public Organisation Organisation { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Members { get; private set; } = [];

    public IReadOnlyList<TeamInvitation> Pending { get; private set; } = [];

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    [BindProperty, EmailAddress, Required]
    public string InviteEmail { get; set; } = "";

    [BindProperty]
    public OrganisationRole InviteRole { get; set; } = OrganisationRole.Reviewer;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken) =>
        await AuthorizeAsync(slug, cancellationToken) ?? await PageAsync(cancellationToken);

    public async Task<IActionResult> OnPostInviteAsync(string slug, CancellationToken cancellationToken)
    {
        if (await AuthorizeAsync(slug, cancellationToken) is { } refused)
        {
            return refused;
        }

        try
        {
            var me = await users.GetUserAsync(User) ?? throw new InvalidOperationException("No signed-in user.");
            var sent = await invitations.InviteAsync(Organisation, InviteEmail, InviteRole, me, cancellationToken);
            Message = $"Invitation mailed to {sent.Email} ({sent.Role.ToString().ToLowerInvariant()}); the link works until {sent.ExpiresAt:yyyy-MM-dd HH:mm} UTC.";
            InviteEmail = "";
            ModelState.Clear();
        }
        catch (TeamInvitationException e)
        {
            Error = e.Message;
        }

        return await PageAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRoleAsync(string slug, Guid userId, OrganisationRole role, CancellationToken cancellationToken) =>
        await ChangeAsync(slug, userId, role, cancellationToken);

    public async Task<IActionResult> OnPostRemoveAsync(string slug, Guid userId, CancellationToken cancellationToken) =>
        await ChangeAsync(slug, userId, null, cancellationToken);

    /// <summary>Turns blind review on or off for the organisation, audited.</summary>
    public async Task<IActionResult> OnPostBlindAsync(string slug, bool blind, CancellationToken cancellationToken)
    {
        if (await AuthorizeAsync(slug, cancellationToken) is { } refused)
        {
            return refused;
        }

        var organisation = await db.Organisations.SingleAsync(o => o.Id == Organisation.Id, cancellationToken);
        if (organisation.BlindReview != blind)
        {
            db.AuditEvents.Add(AuditEvent.About(organisation, User.Identity?.Name ?? "admin", "organisation.blind-review-changed", new { from = organisation.BlindReview, to = blind }));
            organisation.BlindReview = blind;
            await db.SaveChangesAsync(cancellationToken);
        }

        Organisation = organisation;
        Message = blind
            ? "Blind review is on: reviewers see no candidate's name, email or repository until they submit their review."
            : "Blind review is off: reviewers see who each candidate is.";
        return await PageAsync(cancellationToken);
    }

    /// <summary>Sets a member's role, or removes them when <paramref name="role"/> is null.</summary>
    private async Task<IActionResult> ChangeAsync(string slug, Guid userId, OrganisationRole? role, CancellationToken cancellationToken)
    {
        if (await AuthorizeAsync(slug, cancellationToken) is { } refused)
        {
            return refused;
        }

        var membership = await db.Memberships.Include(m => m.User).SingleOrDefaultAsync(m => m.OrganisationId == Organisation.Id && m.UserId == userId, cancellationToken);
        if (membership is null)
        {
            return NotFound();
        }

        var admins = await db.Memberships.CountAsync(m => m.OrganisationId == Organisation.Id && m.Role == OrganisationRole.Admin, cancellationToken);
        if (membership.Role == OrganisationRole.Admin && role != OrganisationRole.Admin && admins == 1)
        {
            Error = $"{membership.User!.Email} is the only admin of {Organisation.Name}: make someone else admin first.";
            return await PageAsync(cancellationToken);
        }

        var actor = User.Identity?.Name ?? "admin";
        if (role is { } newRole)
        {
            db.AuditEvents.Add(AuditEvent.About(Organisation, actor, "team.role-changed", new { email = membership.User!.Email, from = membership.Role.ToString(), to = newRole.ToString() }));
            membership.Role = newRole;
            Message = $"{membership.User.Email} is now {newRole.ToString().ToLowerInvariant()}.";
        }
        else
        {
            db.AuditEvents.Add(AuditEvent.About(Organisation, actor, "team.removed", new { email = membership.User!.Email, role = membership.Role.ToString() }));
            db.Memberships.Remove(membership);
            Message = $"{membership.User.Email} is no longer a member of {Organisation.Name}.";
        }

        await db.SaveChangesAsync(cancellationToken);
        return await PageAsync(cancellationToken);
    }

    /// <summary>Null when the caller administers <paramref name="slug"/>; else 404 or 403.</summary>
    private async Task<IActionResult?> AuthorizeAsync(string slug, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var found = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.Organisation!.Slug == slug)
            .Select(m => new { m.Organisation, m.Role })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        Organisation = found.Organisation!;
        return found.Role == OrganisationRole.Admin ? null : Forbid();
    }

    private async Task<IActionResult> PageAsync(CancellationToken cancellationToken)
    {
        Members = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganisationId == Organisation.Id)
            .OrderBy(m => m.User!.DisplayName).ThenBy(m => m.User!.Email)
            .Select(m => new MemberRow(m.UserId, m.User!.DisplayName, m.User.Email!, m.Role, m.CreatedAt))
            .ToListAsync(cancellationToken);
        Pending = await db.TeamInvitations.AsNoTracking()
            .Where(i => i.OrganisationId == Organisation.Id && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > DateTimeOffset.UtcNow)
            .OrderBy(i => i.Email)
            .ToListAsync(cancellationToken);
        return Page();
    }
}
