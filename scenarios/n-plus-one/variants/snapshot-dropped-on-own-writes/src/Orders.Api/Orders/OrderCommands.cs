using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public sealed class OrderCommands(OrdersDbContext db, ILogger<OrderCommands> logger)
{
    public const int MaxLinesPerOrder = 50;
    public const int MaxQuantity = 10_000;

    /// <summary>Places an order at today's prices. Returns the new order's id, or the validation errors.</summary>
    public async Task<(int? OrderId, Dictionary<string, string[]>? Errors)> PlaceAsync(PlaceOrderRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var lines = request.Lines ?? [];
        if (lines.Count == 0)
            errors["lines"] = ["An order needs at least one line."];
        else if (lines.Count > MaxLinesPerOrder)
            errors["lines"] = [$"An order has at most {MaxLinesPerOrder} lines."];
        if (lines.Any(l => l.Quantity is < 1 or > MaxQuantity))
            errors["lines.quantity"] = [$"Quantity must be between 1 and {MaxQuantity}."];

        if (!await db.Customers.AnyAsync(c => c.Id == request.CustomerId, ct))
            errors["customerId"] = [$"Customer {request.CustomerId} does not exist."];

        var productIds = lines.Select(l => l.ProductId).Distinct().ToList();
        var prices = await db.Products
            .Where(p => productIds.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => p.UnitPrice, ct);
        var unknown = productIds.Where(id => !prices.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
            errors["lines.productId"] = [$"Unknown product(s): {string.Join(", ", unknown)}."];

        if (errors.Count > 0)
            return (null, errors);

        var order = new Order
        {
            CustomerId = request.CustomerId,
            Status = OrderStatus.Open,
            PlacedAt = DateTime.UtcNow,
            Lines = lines.Select((l, i) => new OrderLine
            {
                LineNo = i + 1,
                ProductId = l.ProductId,
                Quantity = l.Quantity,
                UnitPrice = prices[l.ProductId],
            }).ToList(),
        };
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        OrderQueries.Invalidate();

        logger.LogInformation("Placed order {OrderId} ({Number}) for customer {CustomerId} with {LineCount} line(s)",
            order.Id, order.Number, order.CustomerId, order.Lines.Count);
        return (order.Id, null);
    }
}
