using Microsoft.EntityFrameworkCore;

namespace Bazaar.Api.Data;

/// <summary>Applies migrations at start and, on an empty database, generates a realistic
/// marketplace inside PostgreSQL (no data travels over the wire).</summary>
public static class DatabaseSetup
{
    public const int SeedUsers = 5_000;

    public static async Task MigrateAndSeedAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BazaarDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSetup));

        await db.Database.MigrateAsync(ct);
        if (await db.Users.AnyAsync(ct))
        {
            return;
        }

        logger.LogInformation("Empty database: generating {Users} members with their listings and reviews", SeedUsers);
        // A few seconds on an idle machine, far longer on a busy one: not the default 30 s limit.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Members get ids 1..SeedUsers whatever the identity sequence says (an attempt that was rolled
        // back still advanced it): listings and reviews refer to them by those ids.
        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO users (id, handle, display_name, city, joined_at)
            SELECT g,
                   'member' || g,
                   (ARRAY['Ana','Bruno','Carla','Diogo','Eva','Filipe','Greta','Hugo','Ines','Joao'])[1 + g % 10]
                       || ' ' || (ARRAY['Silva','Costa','Novak','Weber','Garcia','Moreau','Rossi','Jensen'])[1 + (g / 10) % 8],
                   (ARRAY['Lisbon','Porto','Berlin','Madrid','Lyon','Krakow','Turin','Aarhus'])[1 + (g * 7) % 8],
                   TIMESTAMPTZ '2025-06-01 00:00:00+00' - (g % 1500) * INTERVAL '1 day'
            FROM generate_series(1, {SeedUsers}) AS g;

            SELECT setval(pg_get_serial_sequence('users', 'id'), {SeedUsers});

            INSERT INTO listings (seller_id, title, price_cents, status, created_at, sold_at)
            SELECT 1 + (g * 31) % {SeedUsers},
                   (ARRAY['Vintage lamp','Road bike','Board game','Winter jacket','Espresso machine','Bookshelf','Vinyl record','Camera lens'])[1 + g % 8]
                       || ' #' || g,
                   100 + (g * 37) % 50000,
                   CASE WHEN g % 3 = 0 THEN 'sold' WHEN g % 11 = 0 THEN 'withdrawn' ELSE 'active' END,
                   TIMESTAMPTZ '2025-06-01 00:00:00+00' - (g % 700) * INTERVAL '1 hour',
                   CASE WHEN g % 3 = 0 THEN TIMESTAMPTZ '2025-06-01 00:00:00+00' - (g % 300) * INTERVAL '1 hour' END
            FROM generate_series(1, {SeedUsers * 20}) AS g;

            INSERT INTO reviews (seller_id, reviewer_id, rating, comment, created_at)
            SELECT 1 + (g * 17) % {SeedUsers},
                   1 + (g * 53 + 7) % {SeedUsers},
                   (1 + (g * 13) % 5)::smallint,
                   (ARRAY['Great seller','As described','Slow to answer','Fast shipping','Would buy again'])[1 + g % 5],
                   TIMESTAMPTZ '2025-06-01 00:00:00+00' - (g % 900) * INTERVAL '1 hour'
            FROM generate_series(1, {SeedUsers * 30}) AS g;

            """, ct);
        await tx.CommitAsync(ct);

        // Statistics and visibility map now, rather than an autovacuum pass during the first minutes of traffic.
        await db.Database.ExecuteSqlRawAsync("VACUUM (ANALYZE) users, listings, reviews", ct);
        logger.LogInformation("Seed data generated");
    }
}
