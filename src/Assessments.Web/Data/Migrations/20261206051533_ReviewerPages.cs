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

            migrationBuilder.CreateIndex(
                name: "ix_grading_files_grading_run_id_path",
                table: "grading_files",
                columns: new[] { "grading_run_id", "path" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_grading_stage_events_grading_run_id_id",
                table: "grading_stage_events",
                columns: new[] { "grading_run_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "grading_files");

            migrationBuilder.DropTable(
                name: "grading_stage_events");

            migrationBuilder.DropColumn(
                name: "message",
                table: "submissions");

            migrationBuilder.DropColumn(
                name: "requested_by",
                table: "grading_runs");
        }
    }
}
