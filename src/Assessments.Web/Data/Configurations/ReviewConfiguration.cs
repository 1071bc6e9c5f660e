using Assessments.Scenarios.Manifest;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> builder)
    {
        builder.ToTable("reviews", t =>
        {
            t.HasEnumCheck<Review, Recommendation>("recommendation", nullable: true);
            t.HasCheckConstraint("ck_reviews_submitted", "submitted_at IS NULL OR recommendation IS NOT NULL");
            t.HasCheckConstraint("ck_reviews_score", "score IS NULL OR score BETWEEN 0 AND 100");
        });
        builder.Property(r => r.Notes).HasMaxLength(ReviewLimits.Notes);
        builder.HasOne(r => r.Assessment).WithMany().HasForeignKey(r => r.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.Reviewer).WithMany().HasForeignKey(r => r.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(r => r.Criteria).WithOne().HasForeignKey(c => c.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.AssessmentId, r.ReviewerId }).IsUnique();
        builder.HasIndex(r => r.ReviewerId);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.AssignedById).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReviewCriterionConfiguration : IEntityTypeConfiguration<ReviewCriterion>
{
    public void Configure(EntityTypeBuilder<ReviewCriterion> builder)
    {
        builder.ToTable("review_criteria", t =>
        {
            t.HasEnumCheck<ReviewCriterion, RubricLevel>("level", nullable: true);
            t.HasEnumCheck<ReviewCriterion, RubricLevel>("suggested_level", nullable: true);
        });
        builder.HasKey(c => new { c.ReviewId, c.CriterionId });
        builder.Property(c => c.CriterionId).HasMaxLength(64);
        builder.Property(c => c.Comment).HasMaxLength(ReviewLimits.Comment);
        builder.Property(c => c.OverrideReason).HasMaxLength(ReviewLimits.Comment);
    }
}
