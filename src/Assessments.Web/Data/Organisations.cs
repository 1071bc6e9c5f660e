using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Data;

/// <summary>A hiring team: owns its scenarios, candidates and assessments.</summary>
public sealed class Organisation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>URL-safe name, used in repository addresses (<c>/git/{slug}/…</c>).</summary>
    public required string Slug { get; set; }

    public required string Name { get; set; }

    /// <summary>Where candidates' repositories live unless an invitation says otherwise.</summary>
    public RepositoryHost DefaultRepositoryHost { get; set; } = RepositoryHost.BuiltIn;

    /// <summary>The GitHub organisation that holds this team's candidate and template
    /// repositories, when it uses GitHub.</summary>
    public string? GitHubOrganisation { get; set; }

    /// <summary>Reviewers see no candidate's identity until they submit their review (the
    /// default); an admin may turn it off, and the change is audited.</summary>
    public bool BlindReview { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<Membership> Memberships { get; set; } = [];
}

public enum OrganisationRole
{
    Admin,
    Author,
    Reviewer,
}

/// <summary>A user's role in one organisation; a user holds at most one role per organisation.</summary>
public sealed class Membership
{
    public Guid OrganisationId { get; set; }

    public Organisation? Organisation { get; set; }

    public Guid UserId { get; set; }

    public User? User { get; set; }

    public OrganisationRole Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>A person who signs in: author, reviewer, admin or operator. Candidates do not sign in
/// with accounts; they hold a per-assessment token.</summary>
public sealed class User : IdentityUser<Guid>
{
    public User()
    {
        Id = Guid.CreateVersion7();
        SecurityStamp = Guid.NewGuid().ToString();
    }

    public string DisplayName { get; set; } = "";

    /// <summary>Site-wide operator: sees the Hangfire dashboard and every organisation's jobs.</summary>
    public bool IsOperator { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<Membership> Memberships { get; set; } = [];
}

/// <summary>An admin's invitation to join an organisation with a role, mailed as a link whose
/// secret is stored only as a hash. Used once; expires.</summary>
public sealed class TeamInvitation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganisationId { get; set; }

    public Organisation? Organisation { get; set; }

    /// <summary>Lower-cased; the account that accepts gets this address.</summary>
    public required string Email { get; set; }

    public OrganisationRole Role { get; set; }

    public required string TokenHash { get; set; }

    public Guid InvitedById { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>Set when an admin invited the address again or took the invitation back.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}
