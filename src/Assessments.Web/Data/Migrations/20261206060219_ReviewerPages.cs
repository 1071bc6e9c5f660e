using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReviewerPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "message",
                table: "submissions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "requested_by",
                table: "grading_runs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "assessment_listings",
                columns: table => new
                {
                    assessment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pushes = table.Column<int>(type: "integer", nullable: false),
                    latest_grading_run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    latest_grading_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    latest_verdict = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    primary_metric_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    primary_metric_unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    primary_baseline = table.Column<double>(type: "double precision", nullable: true),
                    primary_candidate = table.Column<double>(type: "double precision", nullable: true),
                    primary_improvement = table.Column<double>(type: "double precision", nullable: true),
                    primary_comparison = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    refreshed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assessment_listings", x => x.assessment_id);
                    table.ForeignKey(
                        name: "fk_assessment_listings_assessments_assessment_id",
                        column: x => x.assessment_id,
                        principalTable: "assessments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "grading_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    grading_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    binary = table.Column<bool>(type: "boolean", nullable: false),
                    generated = table.Column<bool>(type: "boolean", nullable: false),
                    lines_added = table.Column<int>(type: "integer", nullable: false),
                    lines_removed = table.Column<int>(type: "integer", nullable: false),
                    template_text = table.Column<string>(type: "text", nullable: true),
                    candidate_text = table.Column<string>(type: "text", nullable: true),
                    text_omitted = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_grading_files", x => x.id);
                    table.CheckConstraint("ck_grading_files_kind", "kind IN ('Added', 'Removed', 'Modified')");
                    table.ForeignKey(
                        name: "fk_grading_files_grading_runs_grading_run_id",
                        column: x => x.grading_run_id,
                        principalTable: "grading_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "grading_stage_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    grading_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    stage = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    side = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    duration_ms = table.Column<double>(type: "double precision", nullable: true),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_grading_stage_events", x => x.id);
                    table.CheckConstraint("ck_grading_stage_events_side", "side IN ('Candidate', 'Baseline', 'Grader')");
                    table.CheckConstraint("ck_grading_stage_events_status", "status IS NULL OR status IN ('Ok', 'Failed', 'TimedOut', 'Skipped')");
                    table.ForeignKey(
                        name: "fk_grading_stage_events_grading_runs_grading_run_id",
                        column: x => x.grading_run_id,
                        principalTable: "grading_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_invitations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    invited_by_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_team_invitations", x => x.id);
                    table.CheckConstraint("ck_team_invitations_email", "email = lower(email) AND email LIKE '%_@_%'");
                    table.CheckConstraint("ck_team_invitations_role", "role IN ('Admin', 'Author', 'Reviewer')");
                    table.ForeignKey(
                        name: "fk_team_invitations_asp_net_users_invited_by_id",
                        column: x => x.invited_by_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_team_invitations_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_assessment_listings_latest_verdict",
                table: "assessment_listings",
                column: "latest_verdict");

            migrationBuilder.CreateIndex(
                name: "ix_grading_files_grading_run_id_path",
                table: "grading_files",
                columns: new[] { "grading_run_id", "path" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_grading_stage_events_grading_run_id_id",
                table: "grading_stage_events",
                columns: new[] { "grading_run_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_team_invitations_invited_by_id",
                table: "team_invitations",
                column: "invited_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_team_invitations_organisation_id_email",
                table: "team_invitations",
                columns: new[] { "organisation_id", "email" });

            migrationBuilder.CreateIndex(
                name: "ix_team_invitations_token_hash",
                table: "team_invitations",
                column: "token_hash",
                unique: true);

            // Every existing assessment gets its listing, computed as AssessmentListings.Refresh
            // computes it (a copy of that statement as it was when this migration was written).
            migrationBuilder.Sql("""
            INSERT INTO assessment_listings (assessment_id, pushes, latest_grading_run_id, latest_grading_status, latest_verdict,
                primary_metric_key, primary_metric_unit, primary_baseline, primary_candidate, primary_improvement, primary_comparison, refreshed_at)
            SELECT a.id,
                (SELECT count(*) FROM submissions s WHERE s.assessment_id = a.id),
                g.id, g.status, g.verdict, m.key, m.unit, m.baseline_value, m.candidate_value,
                CASE WHEN m.ratio IS NULL OR m.ratio = 0 THEN NULL WHEN m.direction = 'Lower' THEN 1 / m.ratio ELSE m.ratio END,
                m.comparison, now()
            FROM assessments a
            LEFT JOIN LATERAL (
                SELECT g.id, g.status, g.verdict FROM grading_runs g JOIN submissions s ON s.id = g.submission_id
                WHERE s.assessment_id = a.id AND g.kind = 'Candidate' AND g.status NOT IN ('Superseded', 'Cancelled')
                ORDER BY s.received_at DESC, g.queued_at DESC, g.id DESC
                LIMIT 1) g ON true
            LEFT JOIN LATERAL (
                SELECT m.key, m.unit, m.baseline_value, m.candidate_value, m.ratio, m.direction, m.comparison
                FROM metric_samples m WHERE m.grading_run_id = g.id AND m.is_primary
                LIMIT 1) m ON true
            WHERE true
            ON CONFLICT (assessment_id) DO UPDATE SET
                pushes = EXCLUDED.pushes, latest_grading_run_id = EXCLUDED.latest_grading_run_id,
                latest_grading_status = EXCLUDED.latest_grading_status, latest_verdict = EXCLUDED.latest_verdict,
                primary_metric_key = EXCLUDED.primary_metric_key, primary_metric_unit = EXCLUDED.primary_metric_unit,
                primary_baseline = EXCLUDED.primary_baseline, primary_candidate = EXCLUDED.primary_candidate,
                primary_improvement = EXCLUDED.primary_improvement, primary_comparison = EXCLUDED.primary_comparison,
                refreshed_at = EXCLUDED.refreshed_at
            """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assessment_listings");

            migrationBuilder.DropTable(
                name: "grading_files");

            migrationBuilder.DropTable(
                name: "grading_stage_events");

            migrationBuilder.DropTable(
                name: "team_invitations");

            migrationBuilder.DropColumn(
                name: "message",
                table: "submissions");

            migrationBuilder.DropColumn(
                name: "requested_by",
                table: "grading_runs");
        }
    }
}
