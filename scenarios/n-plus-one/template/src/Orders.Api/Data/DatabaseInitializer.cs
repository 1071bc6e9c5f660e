using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Orders.Api.Data;

/// <summary>Applies migrations at start and fills an empty database with the demo data set.</summary>
public static class DatabaseInitializer
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));

        var sw = Stopwatch.StartNew();
        await db.Database.MigrateAsync(ct);
        logger.LogInformation("Database schema is up to date ({Elapsed} ms)", sw.ElapsedMilliseconds);

        if (await db.Customers.AnyAsync(ct))
        {
            logger.LogInformation("Database already has data; seeding skipped");
            return;
        }

        sw.Restart();
        await using var stream = typeof(DatabaseInitializer).Assembly.GetManifestResourceStream("Orders.Api.Data.Seed.sql")
            ?? throw new InvalidOperationException("Embedded resource Orders.Api.Data.Seed.sql is missing.");
        using var reader = new StreamReader(stream);
        var sql = await reader.ReadToEndAsync(ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(sql, ct);
        await tx.CommitAsync(ct);

        logger.LogInformation(
            "Seeded demo data: {Customers} customers, {Orders} orders, {Lines} order lines in {Elapsed} ms",
            await db.Customers.CountAsync(ct), await db.Orders.CountAsync(ct), await db.OrderLines.CountAsync(ct),
            sw.ElapsedMilliseconds);
    }
}
