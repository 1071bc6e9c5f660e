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
        });
        builder.Property(r => r.Scores).HasColumnType("jsonb");
        builder.HasOne(r => r.Assessment).WithMany().HasForeignKey(r => r.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.Reviewer).WithMany().HasForeignKey(r => r.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.AssessmentId, r.ReviewerId }).IsUnique();
        builder.HasIndex(r => r.ReviewerId);
    }
}
