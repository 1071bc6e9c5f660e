using Microsoft.EntityFrameworkCore;

namespace Storefront.Api.Data;

/// <summary>
/// Applies pending migrations and, on an empty database, generates a realistic data set inside
/// PostgreSQL: 5,000 customers, 50,000 orders with their lines and one fulfilment request per
/// paid order. The 500 most recent orders are still awaiting payment.
/// </summary>
public static class DatabaseInitializer
{
    public const int CustomerCount = 5_000;
    public const int OrderCount = 50_000;
    public const int AwaitingPaymentCount = 500;

    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));

        await db.Database.MigrateAsync(ct);

        if (await db.Orders.AnyAsync(ct))
            return;

        log.LogInformation("Empty database: generating {Customers} customers and {Orders} orders", CustomerCount, OrderCount);
        var started = DateTime.UtcNow;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(SeedSql, [CustomerCount, OrderCount, AwaitingPaymentCount], ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Seed data generated in {Elapsed} ms", (int)(DateTime.UtcNow - started).TotalMilliseconds);
    }

    // {0} customers, {1} orders, {2} most recent orders awaiting payment.
    private const string SeedSql = """
        SELECT setseed(0.42);

        INSERT INTO customers (id, email, full_name, created_at)
        SELECT g,
               'customer' || g || '@example.com',
               (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Niklaus'])[1 + g % 10]
                 || ' ' ||
               (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Wirth'])[1 + (g / 10) % 10],
               now() - interval '3 years' + (g * interval '3 hours')
        FROM generate_series(1, {0}) AS g;

        INSERT INTO orders (id, number, customer_id, status, total_cents, currency, created_at, paid_at, payment_reference)
        SELECT g,
               'ORD-' || lpad(g::text, 6, '0'),
               1 + (g * 7919) % {0},
               CASE WHEN g > {1} - {2} THEN 'AwaitingPayment' ELSE 'Paid' END,
               0,
               'EUR',
               now() - interval '2 years' + (g * (interval '2 years' / {1})),
               CASE WHEN g > {1} - {2} THEN NULL
                    ELSE now() - interval '2 years' + (g * (interval '2 years' / {1})) + interval '4 minutes' END,
               CASE WHEN g > {1} - {2} THEN NULL ELSE 'pay_' || md5(g::text) END
        FROM generate_series(1, {1}) AS g;

        INSERT INTO order_lines (order_id, sku, description, quantity, unit_price_cents)
        SELECT o, 'SKU-' || lpad((1 + (o * 31 + l * 17) % 400)::text, 4, '0'),
               (ARRAY['Mechanical keyboard','USB-C hub','27" monitor','Laptop stand','Noise-cancelling headphones',
                      'Webcam','Desk lamp','Ergonomic mouse','Standing desk mat','Cable organiser'])[1 + (o + l) % 10],
               1 + (o + l) % 3,
               500 + ((o * 131 + l * 977) % 25000)
        FROM generate_series(1, {1}) AS o
        CROSS JOIN LATERAL generate_series(1, 1 + o % 3) AS l;

        UPDATE orders o SET total_cents = t.total
        FROM (SELECT order_id, sum(quantity * unit_price_cents) AS total FROM order_lines GROUP BY order_id) t
        WHERE t.order_id = o.id;

        INSERT INTO fulfilment_requests (order_id, status, requested_at)
        SELECT id, 'Shipped', paid_at FROM orders WHERE status = 'Paid';

        SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers));
        SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));
        """;
}
