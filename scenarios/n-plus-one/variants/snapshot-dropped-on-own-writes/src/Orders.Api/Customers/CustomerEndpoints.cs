using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Orders.Api.Data;
using Orders.Api.Orders;

namespace Orders.Api.Customers;

public sealed record RenameCustomerRequest(string? Name);

public sealed record CustomerView(int Id, string Name, string Country);

public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/customers/{id:int}", async (int id, OrdersDbContext db, CancellationToken ct) =>
            await db.Customers.AsNoTracking()
                .Where(c => c.Id == id)
                .Select(c => new CustomerView(c.Id, c.Name, c.Country))
                .SingleOrDefaultAsync(ct) is { } customer
                ? Results.Ok(customer)
                : Results.NotFound());

        // Account managers fix company names (mergers, legal-form changes); every page shows the new name at once.
        app.MapPatch("/customers/{id:int}", async (int id, RenameCustomerRequest request, OrdersDbContext db,
            ILogger<CustomerView> logger, CancellationToken ct) =>
        {
            var name = request.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["name"] = ["name is required and has at most 200 characters."],
                });

            var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == id, ct);
            if (customer is null)
                return Results.NotFound();

            logger.LogInformation("Renaming customer {CustomerId} from {OldName} to {NewName}", id, customer.Name, name);
            customer.Name = name;
            await db.SaveChangesAsync(ct);
            OrderQueries.Invalidate();
            return Results.Ok(new CustomerView(customer.Id, customer.Name, customer.Country));
        });

        // Customer portal: a customer's order history, newest first.
        app.MapGet("/customers/{id:int}/orders", async (int id, int? page, int? pageSize,
            OrdersDbContext db, OrderQueries queries, ILogger<OrderQueries> logger, CancellationToken ct) =>
        {
            if (OrderEndpoints.Validate(page, pageSize) is { } problem)
                return problem;
            if (!await db.Customers.AnyAsync(c => c.Id == id, ct))
                return Results.NotFound();

            var sw = Stopwatch.StartNew();
            var result = await queries.ListAsync(new OrderFilter(CustomerId: id), page ?? 1,
                pageSize ?? OrderEndpoints.DefaultPageSize, ct);
            logger.LogInformation("Listed {Count} of {Total} orders of customer {CustomerId} (page {Page}) in {Elapsed} ms",
                result.Items.Count, result.TotalCount, id, result.Page, sw.ElapsedMilliseconds);
            return Results.Ok(result);
        });

        return app;
    }
}
