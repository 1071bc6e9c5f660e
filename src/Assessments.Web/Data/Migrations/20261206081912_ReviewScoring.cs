using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReviewScoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "scores",
                table: "reviews");

            migrationBuilder.AlterColumn<string>(
                name: "notes",
                table: "reviews",
                type: "character varying(20000)",
                maxLength: 20000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AddColumn<double>(
                name: "score",
                table: "reviews",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "updated_at",
                table: "reviews",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "review_criteria",
                columns: table => new
                {
                    review_id = table.Column<Guid>(type: "uuid", nullable: false),
                    criterion_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    level = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    comment = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    suggested_level = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    override_reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_review_criteria", x => new { x.review_id, x.criterion_id });
                    table.CheckConstraint("ck_review_criteria_level", "level IS NULL OR level IN ('Weak', 'Adequate', 'Strong')");
                    table.CheckConstraint("ck_review_criteria_suggested_level", "suggested_level IS NULL OR suggested_level IN ('Weak', 'Adequate', 'Strong')");
                    table.ForeignKey(
                        name: "fk_review_criteria_reviews_review_id",
                        column: x => x.review_id,
                        principalTable: "reviews",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_reviews_score",
                table: "reviews",
                sql: "score IS NULL OR score BETWEEN 0 AND 100");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "review_criteria");

            migrationBuilder.DropCheckConstraint(
                name: "ck_reviews_score",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "score",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "reviews");

            migrationBuilder.AlterColumn<string>(
                name: "notes",
                table: "reviews",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(20000)",
                oldMaxLength: 20000,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "scores",
                table: "reviews",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");
        }
    }
}
