using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class OperationsHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "operation_counts",
                columns: table => new
                {
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    label = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_operation_counts", x => new { x.minute, x.name, x.label });
                });

            migrationBuilder.CreateTable(
                name: "operation_gauges",
                columns: table => new
                {
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_operation_gauges", x => new { x.minute, x.name });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "operation_counts");

            migrationBuilder.DropTable(
                name: "operation_gauges");
        }
    }
}
