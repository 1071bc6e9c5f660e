using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AssignmentsDecisionsAndBlindReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "assigned_by_id",
                table: "reviews",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "notified_at",
                table: "reviews",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "blind_review",
                table: "organisations",
                type: "boolean",
                nullable: false,
                // Existing organisations review blind, as new ones do (decision 019).
                defaultValue: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "decided_at",
                table: "assessments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "decided_by_id",
                table: "assessments",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "decision",
                table: "assessments",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "decision_reason",
                table: "assessments",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_reviews_assigned_by_id",
                table: "reviews",
                column: "assigned_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_assessments_decided_by_id",
                table: "assessments",
                column: "decided_by_id");

            migrationBuilder.AddCheckConstraint(
                name: "ck_assessments_decided",
                table: "assessments",
                sql: "(decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL OR (decision_reason IS NOT NULL AND decided_by_id IS NOT NULL))");

            migrationBuilder.AddCheckConstraint(
                name: "ck_assessments_decision",
                table: "assessments",
                sql: "decision IS NULL OR decision IN ('Advance', 'Reject', 'Hold')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_assessments_reviewed",
                table: "assessments",
                sql: "status <> 'Reviewed' OR decision IS NOT NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_assessments_asp_net_users_decided_by_id",
                table: "assessments",
                column: "decided_by_id",
                principalTable: "users",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_reviews_asp_net_users_assigned_by_id",
                table: "reviews",
                column: "assigned_by_id",
                principalTable: "users",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_assessments_asp_net_users_decided_by_id",
                table: "assessments");

            migrationBuilder.DropForeignKey(
                name: "fk_reviews_asp_net_users_assigned_by_id",
                table: "reviews");

            migrationBuilder.DropIndex(
                name: "ix_reviews_assigned_by_id",
                table: "reviews");

            migrationBuilder.DropIndex(
                name: "ix_assessments_decided_by_id",
                table: "assessments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_assessments_decided",
                table: "assessments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_assessments_decision",
                table: "assessments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_assessments_reviewed",
                table: "assessments");

            migrationBuilder.DropColumn(
                name: "assigned_by_id",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "notified_at",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "blind_review",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "decided_at",
                table: "assessments");

            migrationBuilder.DropColumn(
                name: "decided_by_id",
                table: "assessments");

            migrationBuilder.DropColumn(
                name: "decision",
                table: "assessments");

            migrationBuilder.DropColumn(
                name: "decision_reason",
                table: "assessments");
        }
    }
}
