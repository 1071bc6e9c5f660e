using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed record OrderFilter(string? Status = null, int? CustomerId = null);

/// <summary>Read side of orders: the pages the back office and the customer portal show.</summary>
/// <remarks>
/// A page costs a fixed number of statements whatever its size: one COUNT and one query that reads the page's
/// orders (LIMIT/OFFSET in a subquery) joined to their customers, lines and products. It used to load the
/// customer and the lines of each order with two more queries per order: 2 + 2N statements, plus a
/// DISCARD ALL each time a pooled connection was reopened for the next of those queries.
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

        var totalCount = await query.CountAsync(ct);

        var orders = await WithDetails(query)
            .OrderByDescending(o => o.PlacedAt)
            .ThenByDescending(o => o.Id)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .ToListAsync(ct);

        return new OrderPage(page, pageSize, totalCount, orders.Select(ToSummary).ToList());
    }

    public async Task<OrderSummary?> FindAsync(int id, CancellationToken ct)
    {
        var order = await WithDetails(db.Orders.AsNoTracking()).SingleOrDefaultAsync(o => o.Id == id, ct);
        return order is null ? null : ToSummary(order);
    }

    private static IQueryable<Order> WithDetails(IQueryable<Order> orders) => orders
        .Include(o => o.Customer)
        .Include(o => o.Lines.OrderBy(l => l.LineNo))
        .ThenInclude(l => l.Product);

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
