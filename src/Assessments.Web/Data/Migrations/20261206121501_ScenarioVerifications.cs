using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ScenarioVerifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "grading_runs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "verification_id",
                table: "grading_runs",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sandbox_images",
                columns: table => new
                {
                    image_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    first_reported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_reported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sandbox_images", x => x.image_id);
                });

            migrationBuilder.CreateTable(
                name: "scenario_verifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    scenario_version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    image_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    hangfire_job_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    problems = table.Column<List<string>>(type: "text[]", nullable: false),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scenario_verifications", x => x.id);
                    table.CheckConstraint("ck_scenario_verifications_attempt", "attempt >= 0");
                    table.CheckConstraint("ck_scenario_verifications_finished", "(status IN ('Verified', 'NotVerified', 'Failed')) = (finished_at IS NOT NULL)");
                    table.CheckConstraint("ck_scenario_verifications_image", "status NOT IN ('Verified', 'NotVerified') OR image_id IS NOT NULL");
                    table.CheckConstraint("ck_scenario_verifications_status", "status IN ('Queued', 'Running', 'Verified', 'NotVerified', 'Failed')");
                    table.ForeignKey(
                        name: "fk_scenario_verifications_scenario_versions_scenario_version_id",
                        column: x => x.scenario_version_id,
                        principalTable: "scenario_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_grading_runs_verification_id_subject",
                table: "grading_runs",
                columns: new[] { "verification_id", "subject" },
                unique: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_grading_runs_verification",
                table: "grading_runs",
                sql: "(verification_id IS NULL OR kind = 'Verification') AND ((verification_id IS NULL) = (subject IS NULL))");

            migrationBuilder.CreateIndex(
                name: "ix_sandbox_images_last_reported_at",
                table: "sandbox_images",
                column: "last_reported_at");

            migrationBuilder.CreateIndex(
                name: "ix_scenario_verifications_one_open",
                table: "scenario_verifications",
                column: "scenario_version_id",
                unique: true,
                filter: "status IN ('Queued', 'Running')");

            migrationBuilder.CreateIndex(
                name: "ix_scenario_verifications_scenario_version_id_requested_at",
                table: "scenario_verifications",
                columns: new[] { "scenario_version_id", "requested_at" });

            migrationBuilder.AddForeignKey(
                name: "fk_grading_runs_scenario_verifications_verification_id",
                table: "grading_runs",
                column: "verification_id",
                principalTable: "scenario_verifications",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_grading_runs_scenario_verifications_verification_id",
                table: "grading_runs");

            migrationBuilder.DropTable(
                name: "sandbox_images");

            migrationBuilder.DropTable(
                name: "scenario_verifications");

            migrationBuilder.DropIndex(
                name: "ix_grading_runs_verification_id_subject",
                table: "grading_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_grading_runs_verification",
                table: "grading_runs");

            migrationBuilder.DropColumn(
                name: "subject",
                table: "grading_runs");

            migrationBuilder.DropColumn(
                name: "verification_id",
                table: "grading_runs");
        }
    }
}
