using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shipping.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class ShipmentSearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_shipments_carrier_status_created_at_id",
                table: "shipments",
                columns: new[] { "carrier", "status", "created_at", "id" },
                descending: new[] { false, false, true, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_shipments_carrier_status_created_at_id",
                table: "shipments");
        }
    }
}
