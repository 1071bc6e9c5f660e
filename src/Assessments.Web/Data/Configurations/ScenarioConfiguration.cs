using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class ScenarioConfiguration : IEntityTypeConfiguration<Scenario>
{
    public void Configure(EntityTypeBuilder<Scenario> builder)
    {
        builder.ToTable("scenarios", t =>
            t.HasCheckConstraint("ck_scenarios_slug", $"slug ~ '{ConstraintExtensions.SlugPattern}'"));
        builder.Property(s => s.Slug).HasMaxLength(63);
        builder.Property(s => s.Title).HasMaxLength(200);
        builder.HasOne(s => s.Organisation).WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        // One global scenario per slug as well: NULL organisations compare equal here.
        builder.HasIndex(s => new { s.OrganisationId, s.Slug }).IsUnique().AreNullsDistinct(false);
    }
}

internal sealed class ScenarioVersionConfiguration : IEntityTypeConfiguration<ScenarioVersion>
{
    public void Configure(EntityTypeBuilder<ScenarioVersion> builder)
    {
        builder.ToTable("scenario_versions", t =>
            t.HasCheckConstraint("ck_scenario_versions_content_hash", "content_hash ~ '^[0-9a-f]{64}$'"));
        builder.Property(v => v.ContentHash).HasMaxLength(64);
        builder.Property(v => v.Label).HasMaxLength(64);
        builder.Property(v => v.Manifest).HasColumnType("jsonb");
        builder.HasOne(v => v.Scenario).WithMany(s => s.Versions).HasForeignKey(v => v.ScenarioId).OnDelete(DeleteBehavior.Restrict);
        // The archive row must exist before a version points at it.
        builder.HasOne(v => v.Archive).WithMany().HasForeignKey(v => v.ContentHash).HasPrincipalKey(p => p.ContentHash).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(v => new { v.ScenarioId, v.ContentHash }).IsUnique();
    }
}

internal sealed class ScenarioArchiveConfiguration : IEntityTypeConfiguration<ScenarioArchive>
{
    public void Configure(EntityTypeBuilder<ScenarioArchive> builder)
    {
        builder.ToTable("scenario_archives", t =>
        {
            t.HasCheckConstraint("ck_scenario_archives_content_hash", "content_hash ~ '^[0-9a-f]{64}$'");
            t.HasCheckConstraint("ck_scenario_archives_size_bytes", "size_bytes = octet_length(archive)");
        });
        builder.HasKey(p => p.ContentHash);
        builder.Property(p => p.ContentHash).HasMaxLength(64);
    }
}

internal sealed class ScenarioVerificationConfiguration : IEntityTypeConfiguration<ScenarioVerification>
{
    public void Configure(EntityTypeBuilder<ScenarioVerification> builder)
    {
        builder.ToTable("scenario_verifications", t =>
        {
            t.HasEnumCheck<ScenarioVerification, ScenarioVerificationStatus>("status");
            t.HasCheckConstraint("ck_scenario_verifications_attempt", "attempt >= 0");
            t.HasCheckConstraint("ck_scenario_verifications_finished", "(status IN ('Verified', 'NotVerified', 'Failed')) = (finished_at IS NOT NULL)");
            t.HasCheckConstraint("ck_scenario_verifications_image", "status NOT IN ('Verified', 'NotVerified') OR image_id IS NOT NULL");
        });
        builder.Property(v => v.ImageId).HasMaxLength(128);
        builder.Property(v => v.RequestedBy).HasMaxLength(256);
        builder.Property(v => v.HangfireJobId).HasMaxLength(64);
        builder.Property(v => v.Error).HasMaxLength(4000);
        builder.HasOne(v => v.ScenarioVersion).WithMany().HasForeignKey(v => v.ScenarioVersionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.ScenarioVersionId, v.RequestedAt });
        // At most one waiting or running verification per version: "Verify now" twice queues one.
        builder.HasIndex(v => v.ScenarioVersionId, "open").IsUnique().HasFilter("status IN ('Queued', 'Running')").HasDatabaseName("ix_scenario_verifications_one_open");
    }
}

internal sealed class SandboxImageRecordConfiguration : IEntityTypeConfiguration<SandboxImageRecord>
{
    public void Configure(EntityTypeBuilder<SandboxImageRecord> builder)
    {
        builder.ToTable("sandbox_images");
        builder.HasKey(i => i.ImageId);
        builder.Property(i => i.ImageId).HasMaxLength(128);
        builder.Property(i => i.Name).HasMaxLength(256);
        builder.HasIndex(i => i.LastReportedAt);
    }
}
