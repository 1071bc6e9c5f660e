using Assessments.Web.Features.Git;
using Assessments.Web.Features.Mail;
using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Features.Team;

/// <summary>Thrown when an invitation cannot be sent or accepted; the message is for the person.</summary>
public sealed class TeamInvitationException(string message) : Exception(message);

/// <summary>Admins invite team members by a mailed link; the member accepts by choosing a name and
/// a password, and is signed in with the invited role. One pending invitation per address and
/// organisation (a new one replaces it); a link works once, for a week.</summary>
public sealed class TeamInvitations(
    AssessmentsDbContext db,
    UserManager<User> users,
    IMailSender mail,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Records and mails an invitation of <paramref name="email"/> to <paramref name="organisation"/>.</summary>
    public async Task<TeamInvitation> InviteAsync(Organisation organisation, string email, OrganisationRole role, User invitedBy, CancellationToken cancellationToken)
    {
        email = email.Trim().ToLowerInvariant();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            throw new TeamInvitationException($"'{email}' is not an email address.");
        }

        if (await db.Memberships.AnyAsync(m => m.OrganisationId == organisation.Id && m.User!.NormalizedEmail == email.ToUpperInvariant(), cancellationToken))
        {
            throw new TeamInvitationException($"{email} is a member of {organisation.Name} already; change their role in the list.");
        }

        var now = time.GetUtcNow();
        await db.TeamInvitations
            .Where(i => i.OrganisationId == organisation.Id && i.Email == email && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.RevokedAt, now), cancellationToken);
        var (secret, hash) = AccessTokens.Create("team_");
        var invitation = new TeamInvitation
        {
            OrganisationId = organisation.Id,
            Email = email,
            Role = role,
            TokenHash = hash,
            InvitedById = invitedBy.Id,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.TeamInvitations.Add(invitation);
        db.AuditEvents.Add(AuditEvent.About(organisation, invitedBy.Email ?? invitedBy.Id.ToString(), "team.invited", new { email, role = role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);

        var link = publicUrl.Value.Link($"/team/join/{secret}");
        var inviter = string.IsNullOrEmpty(invitedBy.DisplayName) ? invitedBy.Email : invitedBy.DisplayName;
        await mail.SendAsync(new MailMessage(email, null, $"Join {organisation.Name} on Assessments", $"""
            {inviter} invited you to {organisation.Name} on Assessments as {role.ToString().ToLowerInvariant()}.

            Choose your name and password here (the link works once, until {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC):

            {link}

            If you did not expect this, ignore this mail.
            """), cancellationToken);
        return invitation;
    }

    /// <summary>The pending invitation a link's <paramref name="secret"/> opens, or null.</summary>
    public Task<TeamInvitation?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = AccessTokens.Hash(secret);
        var now = time.GetUtcNow();
        return db.TeamInvitations.Include(i => i.Organisation)
            .SingleOrDefaultAsync(i => i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken);
    }

    /// <summary>Creates the member's account (or uses <paramref name="signedIn"/>'s, when it has the
    /// invited address), adds the membership and closes the invitation; returns the user.</summary>
    public async Task<User> AcceptAsync(TeamInvitation invitation, string displayName, string? password, User? signedIn, CancellationToken cancellationToken)
    {
        var user = signedIn ?? await users.FindByEmailAsync(invitation.Email);
        if (user is not null && !string.Equals(user.Email, invitation.Email, StringComparison.OrdinalIgnoreCase))
        {
            throw new TeamInvitationException($"This invitation is for {invitation.Email}; you are signed in as {user.Email}. Sign out and open the link again.");
        }

        if (user is not null && signedIn is null)
        {
            throw new TeamInvitationException($"{invitation.Email} has an account already: sign in, then open the link again.");
        }

        if (user is null)
        {
            user = new User { UserName = invitation.Email, Email = invitation.Email, DisplayName = displayName.Trim(), EmailConfirmed = true };
            var created = await users.CreateAsync(user, password ?? "");
            if (!created.Succeeded)
            {
                throw new TeamInvitationException(string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }

        if (!await db.Memberships.AnyAsync(m => m.OrganisationId == invitation.OrganisationId && m.UserId == user.Id, cancellationToken))
        {
            db.Memberships.Add(new Membership { OrganisationId = invitation.OrganisationId, UserId = user.Id, Role = invitation.Role });
        }

        invitation.AcceptedAt = time.GetUtcNow();
        db.AuditEvents.Add(AuditEvent.About(invitation.Organisation!, invitation.Email, "team.joined", new { role = invitation.Role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }
}
