using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class CandidateConfiguration : IEntityTypeConfiguration<Candidate>
{
    public void Configure(EntityTypeBuilder<Candidate> builder)
    {
        builder.ToTable("candidates", t =>
            t.HasCheckConstraint("ck_candidates_email", "email = lower(email) AND email LIKE '%_@_%'"));
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Email).HasMaxLength(320);
        builder.Property(c => c.GitHubLogin).HasMaxLength(39);
        builder.HasOne(c => c.Organisation).WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.OrganisationId, c.Email }).IsUnique();
    }
}

internal sealed class AssessmentConfiguration : IEntityTypeConfiguration<Assessment>
{
    public void Configure(EntityTypeBuilder<Assessment> builder)
    {
        builder.ToTable("assessments", t =>
        {
            t.HasEnumCheck<Assessment, AssessmentStatus>("status");
            t.HasEnumCheck<Assessment, RepositoryHost>("repository_host");
            t.HasCheckConstraint("ck_assessments_slug", $"slug ~ '{ConstraintExtensions.SlugPattern}'");
            t.HasCheckConstraint("ck_assessments_deadline_or_time_limit", "deadline IS NOT NULL OR time_limit IS NOT NULL");
            t.HasCheckConstraint("ck_assessments_time_limit_positive", "time_limit IS NULL OR time_limit > interval '0'");
            t.HasCheckConstraint("ck_assessments_started", "status IN ('Invited', 'Cancelled') OR started_at IS NOT NULL");
            t.HasCheckConstraint("ck_assessments_github", "repository_host <> 'GitHub' OR external_repository_full_name IS NOT NULL");
            t.HasCheckConstraint("ck_assessments_closed", "status NOT IN ('Closed', 'ReadyForReview', 'Reviewed') OR closed_at IS NOT NULL");
            t.HasEnumCheck<Assessment, HiringDecision>("decision", nullable: true);
            // A decision always says why, who and when; Reviewed means decided.
            t.HasCheckConstraint("ck_assessments_decided", "(decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL OR (decision_reason IS NOT NULL AND decided_by_id IS NOT NULL))");
            t.HasCheckConstraint("ck_assessments_reviewed", "status <> 'Reviewed' OR decision IS NOT NULL");
        });
        builder.Property(a => a.DecisionReason).HasMaxLength(ReviewLimits.Comment);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.DecidedById).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.Slug).HasMaxLength(63);
        builder.Property(a => a.InvitationTokenHash).HasMaxLength(64);
        builder.Property(a => a.AccessTokenHash).HasMaxLength(64);
        builder.Property(a => a.RepositoryUrl).HasMaxLength(2048);
        builder.Property(a => a.ExternalRepositoryFullName).HasMaxLength(140);
        builder.HasOne(a => a.Organisation).WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Candidate).WithMany().HasForeignKey(a => a.CandidateId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.ScenarioVersion).WithMany().HasForeignKey(a => a.ScenarioVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.OrganisationId, a.Slug }).IsUnique();
        builder.HasIndex(a => a.InvitationTokenHash).IsUnique();
        builder.HasIndex(a => a.AccessTokenHash).IsUnique();
        builder.HasIndex(a => a.ExternalRepositoryId).IsUnique();
        builder.HasIndex(a => a.CandidateId);
        builder.HasIndex(a => a.Status);
    }
}

internal sealed class SubmissionConfiguration : IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Submission> builder)
    {
        builder.ToTable("submissions", t =>
        {
            t.HasEnumCheck<Submission, SubmissionSource>("source");
            t.HasCheckConstraint("ck_submissions_commit_sha", $"commit_sha ~ '{ConstraintExtensions.CommitShaPattern}'");
        });
        builder.Property(s => s.CommitSha).HasMaxLength(64);
        builder.Property(s => s.Branch).HasMaxLength(255);
        builder.HasOne(s => s.Assessment).WithMany(a => a.Submissions).HasForeignKey(s => s.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.AssessmentId, s.CommitSha }).IsUnique();
        // At most one final submission per assessment.
        builder.HasIndex(s => s.AssessmentId, "final").IsUnique().HasFilter("is_final").HasDatabaseName("ix_submissions_assessment_id_final");
    }
}

internal sealed class AssessmentListingConfiguration : IEntityTypeConfiguration<AssessmentListing>
{
    public void Configure(EntityTypeBuilder<AssessmentListing> builder)
    {
        builder.ToTable("assessment_listings");
        builder.HasKey(l => l.AssessmentId);
        builder.HasOne<Assessment>().WithOne(a => a.Listing).HasForeignKey<AssessmentListing>(l => l.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(l => l.PrimaryMetricKey).HasMaxLength(128);
        builder.Property(l => l.PrimaryMetricUnit).HasMaxLength(32);
        builder.HasIndex(l => l.LatestVerdict);
    }
}
