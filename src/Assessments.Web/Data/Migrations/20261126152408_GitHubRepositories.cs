using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class GitHubRepositories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "default_repository_host",
                table: "organisations",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                // Existing organisations keep the built-in host they had.
                defaultValue: "BuiltIn");

            migrationBuilder.AddColumn<string>(
                name: "git_hub_organisation",
                table: "organisations",
                type: "character varying(39)",
                maxLength: 39,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "external_repository_full_name",
                table: "assessments",
                type: "character varying(140)",
                maxLength: 140,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_organisations_default_repository_host",
                table: "organisations",
                sql: "default_repository_host IN ('BuiltIn', 'GitHub')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_organisations_github",
                table: "organisations",
                sql: "default_repository_host <> 'GitHub' OR git_hub_organisation IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_assessments_github",
                table: "assessments",
                sql: "repository_host <> 'GitHub' OR external_repository_full_name IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_organisations_default_repository_host",
                table: "organisations");

            migrationBuilder.DropCheckConstraint(
                name: "ck_organisations_github",
                table: "organisations");

            migrationBuilder.DropCheckConstraint(
                name: "ck_assessments_github",
                table: "assessments");

            migrationBuilder.DropColumn(
                name: "default_repository_host",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "git_hub_organisation",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "external_repository_full_name",
                table: "assessments");
        }
    }
}
