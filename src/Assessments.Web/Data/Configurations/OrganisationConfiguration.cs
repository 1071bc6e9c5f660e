using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.ToTable("organisations", t =>
        {
            t.HasCheckConstraint("ck_organisations_slug", $"slug ~ '{ConstraintExtensions.SlugPattern}'");
            t.HasEnumCheck<Organisation, RepositoryHost>("default_repository_host");
            t.HasCheckConstraint("ck_organisations_github", "default_repository_host <> 'GitHub' OR git_hub_organisation IS NOT NULL");
        });
        builder.Property(o => o.Slug).HasMaxLength(63);
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.Property(o => o.GitHubOrganisation).HasMaxLength(39);
        builder.HasIndex(o => o.Slug).IsUnique();
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("memberships", t => t.HasEnumCheck<Membership, OrganisationRole>("role"));
        builder.HasKey(m => new { m.OrganisationId, m.UserId });
        builder.HasOne(m => m.Organisation).WithMany(o => o.Memberships).HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany(u => u.Memberships).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.UserId);
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.DisplayName).HasMaxLength(200);
    }
}

internal sealed class TeamInvitationConfiguration : IEntityTypeConfiguration<TeamInvitation>
{
    public void Configure(EntityTypeBuilder<TeamInvitation> builder)
    {
        builder.ToTable("team_invitations", t =>
        {
            t.HasEnumCheck<TeamInvitation, OrganisationRole>("role");
            t.HasCheckConstraint("ck_team_invitations_email", "email = lower(email) AND email LIKE '%_@_%'");
        });
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.OrganisationId, i.Email });
        builder.HasOne(i => i.Organisation).WithMany().HasForeignKey(i => i.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(i => i.InvitedById).OnDelete(DeleteBehavior.Restrict);
    }
}
