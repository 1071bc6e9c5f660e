using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed record OrderFilter(string? Status = null, int? CustomerId = null);

/// <summary>
/// SHALLOW FIX (must fail a hidden test): every order with its customer and lines is read once at start-up
/// and the pages are served from memory. Zero statements per page, but the pages never see a renamed
/// customer or a newly placed order (nor anything the ERP import or another replica writes).
/// </summary>
public sealed class OrderSnapshot
{
    private IReadOnlyList<OrderSummary> _orders = [];

    public IReadOnlyList<OrderSummary> Orders => _orders;

    public async Task LoadAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var orders = await db.Orders.AsNoTracking()
            .Include(o => o.Customer)
            .Include(o => o.Lines).ThenInclude(l => l.Product)
            .AsSplitQuery()
            .ToListAsync(ct);

        _orders = orders
            .OrderByDescending(o => o.PlacedAt)
            .ThenByDescending(o => o.Id)
            .Select(o =>
            {
                var lines = o.Lines.OrderBy(l => l.LineNo)
                    .Select(l => new OrderLineSummary(l.LineNo, l.Product!.Sku, l.Product.Name, l.Quantity, l.UnitPrice,
                        l.Quantity * l.UnitPrice))
                    .ToList();
                return new OrderSummary(o.Id, o.Number, o.Status, o.PlacedAt, new CustomerRef(o.Customer!.Id, o.Customer.Name),
                    lines, lines.Sum(l => l.LineTotal));
            })
            .ToList();
    }
}

public sealed class OrderQueries(OrderSnapshot snapshot)
{
    public Task<OrderPage> ListAsync(OrderFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var matching = snapshot.Orders
            .Where(o => filter.Status is null || o.Status == filter.Status)
            .Where(o => filter.CustomerId is null || o.Customer.Id == filter.CustomerId)
            .ToList();
        var items = matching.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return Task.FromResult(new OrderPage(page, pageSize, matching.Count, items));
    }

    public Task<OrderSummary?> FindAsync(int id, CancellationToken ct) =>
        Task.FromResult(snapshot.Orders.FirstOrDefault(o => o.Id == id));
}
