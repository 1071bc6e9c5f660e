using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class MetricComparisonAndRepositorySubject : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Metric rows graded before this change were counts without a baseline; grading runs
            // may now name a repository's own tests as their subject.
            migrationBuilder.DropCheckConstraint(
                name: "ck_grading_runs_kind",
                table: "grading_runs");

            migrationBuilder.AddColumn<string>(
                name: "baseline_source",
                table: "metric_samples",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "comparison",
                table: "metric_samples",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "NotCompared");

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "metric_samples",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Counted");

            migrationBuilder.AddColumn<string>(
                name: "note",
                table: "metric_samples",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ratio",
                table: "metric_samples",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_metric_samples_baseline_source",
                table: "metric_samples",
                sql: "baseline_source IN ('Measured', 'Cached', 'None')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_metric_samples_comparison",
                table: "metric_samples",
                sql: "comparison IN ('Better', 'Worse', 'Same', 'NoMeasurableDifference', 'NotCompared')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_metric_samples_kind",
                table: "metric_samples",
                sql: "kind IN ('Counted', 'Timed')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_grading_runs_kind",
                table: "grading_runs",
                sql: "kind IN ('Candidate', 'Baseline', 'Reference', 'Verification', 'Repository')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_metric_samples_baseline_source",
                table: "metric_samples");

            migrationBuilder.DropCheckConstraint(
                name: "ck_metric_samples_comparison",
                table: "metric_samples");

            migrationBuilder.DropCheckConstraint(
                name: "ck_metric_samples_kind",
                table: "metric_samples");

            migrationBuilder.DropCheckConstraint(
                name: "ck_grading_runs_kind",
                table: "grading_runs");

            migrationBuilder.DropColumn(
                name: "baseline_source",
                table: "metric_samples");

            migrationBuilder.DropColumn(
                name: "comparison",
                table: "metric_samples");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "metric_samples");

            migrationBuilder.DropColumn(
                name: "note",
                table: "metric_samples");

            migrationBuilder.DropColumn(
                name: "ratio",
                table: "metric_samples");

            migrationBuilder.AddCheckConstraint(
                name: "ck_grading_runs_kind",
                table: "grading_runs",
                sql: "kind IN ('Candidate', 'Baseline', 'Reference', 'Verification')");
        }
    }
}
