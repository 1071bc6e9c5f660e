using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Orders;

public record OrderLineDto(string Sku, string Description, int Quantity, long UnitPriceCents);

public record OrderDto(
    string Number, string Status, long TotalCents, string Currency, string CustomerEmail,
    DateTimeOffset CreatedAt, DateTimeOffset? PaidAt, string? PaymentReference, int FulfilmentRequests,
    IReadOnlyList<OrderLineDto> Lines);

public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        // Used by support and by the order status page.
        app.MapGet("/orders/{number}", async (string number, ShopDbContext db, CancellationToken ct) =>
        {
            var order = await db.Orders.AsNoTracking()
                .Where(o => o.Number == number)
                .Select(o => new OrderDto(
                    o.Number, o.Status.ToString(), o.TotalCents, o.Currency, o.Customer.Email,
                    o.CreatedAt, o.PaidAt, o.PaymentReference,
                    db.FulfilmentRequests.Count(f => f.OrderId == o.Id),
                    o.Lines.OrderBy(l => l.Id).Select(l => new OrderLineDto(l.Sku, l.Description, l.Quantity, l.UnitPriceCents)).ToList()))
                .SingleOrDefaultAsync(ct);
            return order is null ? Results.NotFound() : Results.Ok(order);
        });

        app.MapGet("/customers/{customerId:int}/orders", async (int customerId, ShopDbContext db, CancellationToken ct) =>
        {
            var orders = await db.Orders.AsNoTracking()
                .Where(o => o.CustomerId == customerId)
                .OrderByDescending(o => o.CreatedAt)
                .Take(50)
                .Select(o => new { o.Number, Status = o.Status.ToString(), o.TotalCents, o.Currency, o.CreatedAt, o.PaidAt })
                .ToListAsync(ct);
            return Results.Ok(orders);
        });
        return app;
    }
}
