using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shipping.Api.Data.Migrations
{
    /// <summary>
    /// The dashboard search index. It is created by SearchIndex.EnsureAsync at start-up with
    /// CREATE INDEX IF NOT EXISTS, so it also appears on databases that were migrated before it.
    /// </summary>
    public partial class DashboardSearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
