using Microsoft.EntityFrameworkCore;

namespace Shipping.Api.Data;

/// <summary>
/// Applies pending migrations and, on an empty database, generates a realistic data set inside
/// PostgreSQL (default: one million shipments over two years, <c>Seed:Shipments</c>). Shipments
/// come in through the carriers' bulk label imports, so every batch of 20 shares its created_at.
/// About one import in five reaches us late (the carrier retries it an hour later): it keeps the
/// carrier's booking time, older than that of the imports that got their ids just before it, so
/// ids do not follow created_at. Shipments of the last 8 % of that history are still moving (mostly
/// in_transit); older ones are delivered, returned, lost or stuck in an exception.
/// </summary>
public static class DatabaseInitializer
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        var config = scope.ServiceProvider.GetRequiredService<IConfiguration>();
        var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));

        await db.Database.MigrateAsync(ct);

        if (await db.Shipments.AnyAsync(ct))
            return;

        var count = config.GetValue("Seed:Shipments", 1_000_000);
        log.LogInformation("Empty database: generating {Shipments} shipments", count);
        var started = DateTime.UtcNow;
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Database.ExecuteSqlRawAsync(SeedSql, [count], ct);
            await tx.CommitAsync(ct);
        }

        // Fresh statistics and visibility map, so plans and buffer counts are those of a settled table.
        await db.Database.ExecuteSqlRawAsync("VACUUM (ANALYZE) shipments", ct);
        log.LogInformation("Seed data generated in {Elapsed} ms", (int)(DateTime.UtcNow - started).TotalMilliseconds);
    }

    // {0} = number of shipments. Deterministic: values are hashes of the row number.
    private const string SeedSql = """
        INSERT INTO shipments (id, tracking_number, merchant_id, merchant_reference, carrier, service_level, status,
                               origin_country, destination_country, destination_postcode, weight_grams,
                               created_at, updated_at, delivered_at)
        SELECT g, 'SHP' || lpad(g::text, 9, '0'), merchant_id, 'PO-' || (100000 + h % 900000), carrier, service_level, status,
               origin, destination, postcode, weight, ts,
               CASE WHEN status = 'delivered' THEN ts + interval '2 days' ELSE ts END,
               CASE WHEN status = 'delivered' THEN ts + interval '2 days' END
        FROM (
          SELECT g, h, ts,
                 1 + h % 2500 AS merchant_id,
                 CASE WHEN c < 30 THEN 'DHL' WHEN c < 50 THEN 'UPS' WHEN c < 65 THEN 'DPD' WHEN c < 77 THEN 'POSTNL'
                      WHEN c < 87 THEN 'GLS' WHEN c < 95 THEN 'FEDEX' ELSE 'ROYALMAIL' END AS carrier,
                 (ARRAY['standard','standard','standard','express','economy'])[1 + (h / 100) % 5] AS service_level,
                 CASE WHEN g > n - n * 8 / 100 THEN
                        CASE WHEN s < 12 THEN 'label_created' WHEN s < 72 THEN 'in_transit' WHEN s < 82 THEN 'out_for_delivery'
                             WHEN s < 95 THEN 'delivered' ELSE 'exception' END
                      ELSE
                        CASE WHEN s < 94 THEN 'delivered' WHEN s < 97 THEN 'returned' WHEN s < 99 THEN 'exception' ELSE 'lost' END
                 END AS status,
                 (ARRAY['NL','DE','BE','FR','GB','PL','ES','IT'])[1 + (h / 1000) % 8] AS origin,
                 (ARRAY['NL','DE','BE','FR','GB','PL','ES','IT','AT','DK'])[1 + (h / 10000) % 10] AS destination,
                 lpad((h % 99999)::text, 5, '0') AS postcode,
                 100 + (h / 7) % 30000 AS weight
          FROM (
            SELECT g, n,
                   hashint4(g) & 2147483647 AS h,
                   (hashint4(g + 7777777) & 2147483647) % 100 AS c,
                   (hashint4(g + 3333333) & 2147483647) % 100 AS s,
                   -- batches of 20 share a timestamp; the newest batch is an hour old. A late batch
                   -- (one in five) was booked three batches earlier: it shares that batch's timestamp.
                   date_trunc('minute', now()) - interval '1 hour'
                     - (b + CASE WHEN (hashint4(b + 5555555) & 2147483647) % 5 = 0 THEN 3 ELSE 0 END) * (interval '730 days' * 20 / n) AS ts
            FROM (SELECT g, n, (n - g) / 20 AS b FROM (SELECT {0}::int AS n) AS p, generate_series(1, {0}::int) AS g) AS q
          ) r
        ) x;

        SELECT setval(pg_get_serial_sequence('shipments', 'id'), (SELECT max(id) FROM shipments));
        """;
}
