using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class GradingSuperseded : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_grading_runs_status",
                table: "grading_runs");

            migrationBuilder.AddCheckConstraint(
                name: "ck_grading_runs_status",
                table: "grading_runs",
                sql: "status IN ('Queued', 'Running', 'Completed', 'Failed', 'Cancelled', 'Superseded')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_grading_runs_status",
                table: "grading_runs");

            migrationBuilder.AddCheckConstraint(
                name: "ck_grading_runs_status",
                table: "grading_runs",
                sql: "status IN ('Queued', 'Running', 'Completed', 'Failed', 'Cancelled')");
        }
    }
}
