using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class GradingRunConfiguration : IEntityTypeConfiguration<GradingRun>
{
    public void Configure(EntityTypeBuilder<GradingRun> builder)
    {
        builder.ToTable("grading_runs", t =>
        {
            t.HasEnumCheck<GradingRun, GradingKind>("kind");
            t.HasEnumCheck<GradingRun, GradingStatus>("status");
            t.HasEnumCheck<GradingRun, GradingVerdict>("verdict", nullable: true);
            // A candidate grading always belongs to a submission; the others never do.
            t.HasCheckConstraint("ck_grading_runs_submission", "(kind = 'Candidate') = (submission_id IS NOT NULL)");
            t.HasCheckConstraint("ck_grading_runs_verdict", "status <> 'Completed' OR verdict IS NOT NULL");
            t.HasCheckConstraint("ck_grading_runs_attempt", "attempt >= 0");
            // A verification's gradings say what they grade; nothing else belongs to one.
            t.HasCheckConstraint("ck_grading_runs_verification", "(verification_id IS NULL OR kind = 'Verification') AND ((verification_id IS NULL) = (subject IS NULL))");
        });
        builder.Property(g => g.Stage).HasMaxLength(64);
        builder.Property(g => g.HangfireJobId).HasMaxLength(64);
        builder.Property(g => g.RequestedBy).HasMaxLength(256);
        builder.Property(g => g.ImageDigest).HasMaxLength(128);
        builder.Property(g => g.Subject).HasMaxLength(128);
        builder.HasOne<ScenarioVerification>().WithMany(v => v.Gradings).HasForeignKey(g => g.VerificationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(g => new { g.VerificationId, g.Subject }).IsUnique();
        builder.Property(g => g.Report).HasColumnType("jsonb");
        builder.HasOne(g => g.ScenarioVersion).WithMany().HasForeignKey(g => g.ScenarioVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(g => g.Submission).WithMany().HasForeignKey(g => g.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(g => g.Tests).WithOne().HasForeignKey(t => t.GradingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(g => g.Metrics).WithOne().HasForeignKey(m => m.GradingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(g => g.Findings).WithOne().HasForeignKey(f => f.GradingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(g => g.SubmissionId);
        builder.HasIndex(g => new { g.ScenarioVersionId, g.Kind });
        builder.HasIndex(g => g.Status);
    }
}

internal sealed class TestResultConfiguration : IEntityTypeConfiguration<TestResult>
{
    public void Configure(EntityTypeBuilder<TestResult> builder)
    {
        builder.ToTable("test_results", t =>
        {
            t.HasEnumCheck<TestResult, TestResultVisibility>("visibility");
            t.HasEnumCheck<TestResult, TestResultStatus>("status");
        });
        builder.Property(t => t.Name).HasMaxLength(512);
        builder.HasIndex(t => new { t.GradingRunId, t.Ordinal }).IsUnique();
    }
}

internal sealed class MetricSampleConfiguration : IEntityTypeConfiguration<MetricSample>
{
    public void Configure(EntityTypeBuilder<MetricSample> builder)
    {
        builder.ToTable("metric_samples", t =>
        {
            t.HasEnumCheck<MetricSample, MetricSampleDirection>("direction");
            t.HasEnumCheck<MetricSample, MetricSampleKind>("kind");
            t.HasEnumCheck<MetricSample, MetricSampleComparison>("comparison");
            t.HasEnumCheck<MetricSample, MetricBaselineSource>("baseline_source");
        });
        builder.Property(m => m.Key).HasMaxLength(128);
        builder.Property(m => m.Unit).HasMaxLength(32);
        builder.HasIndex(m => new { m.GradingRunId, m.Key }).IsUnique();
    }
}

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> builder)
    {
        builder.ToTable("findings", t =>
        {
            t.HasEnumCheck<Finding, FindingLevel>("severity");
            t.HasCheckConstraint("ck_findings_line", "line IS NULL OR line > 0");
        });
        builder.Property(f => f.Rule).HasMaxLength(64);
        builder.Property(f => f.Path).HasMaxLength(1024);
        builder.HasIndex(f => f.GradingRunId);
    }
}

internal sealed class GradingStageEventConfiguration : IEntityTypeConfiguration<GradingStageEvent>
{
    public void Configure(EntityTypeBuilder<GradingStageEvent> builder)
    {
        builder.ToTable("grading_stage_events", t =>
        {
            t.HasEnumCheck<GradingStageEvent, StageSide>("side");
            t.HasEnumCheck<GradingStageEvent, StageResult>("status", nullable: true);
        });
        builder.Property(e => e.Stage).HasMaxLength(128);
        builder.HasOne<GradingRun>().WithMany().HasForeignKey(e => e.GradingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.GradingRunId, e.Id });
    }
}

internal sealed class GradingFileConfiguration : IEntityTypeConfiguration<GradingFile>
{
    public void Configure(EntityTypeBuilder<GradingFile> builder)
    {
        builder.ToTable("grading_files", t => t.HasEnumCheck<GradingFile, FileChangeKind>("kind"));
        builder.Property(f => f.Path).HasMaxLength(1024);
        builder.HasOne<GradingRun>().WithMany().HasForeignKey(f => f.GradingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.GradingRunId, f.Path }).IsUnique();
    }
}
