using System.Diagnostics;
using Orders.Api.Data;

namespace Orders.Api.Orders;

public static class OrderEndpoints
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        // Back office: all orders, newest first, optionally by status.
        app.MapGet("/orders", async (string? status, int? page, int? pageSize,
            OrderQueries queries, ILogger<OrderQueries> logger, CancellationToken ct) =>
        {
            if (status is not null && !OrderStatus.All.Contains(status))
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["status"] = [$"Unknown status '{status}'. Use one of: {string.Join(", ", OrderStatus.All)}."],
                });
            if (Validate(page, pageSize) is { } problem)
                return problem;

            var sw = Stopwatch.StartNew();
            var result = await queries.ListByStatusAsync(status, page ?? 1, pageSize ?? DefaultPageSize, ct);
            logger.LogInformation("Listed {Count} of {Total} orders (status {Status}, page {Page}) in {Elapsed} ms",
                result.Items.Count, result.TotalCount, status ?? "any", result.Page, sw.ElapsedMilliseconds);
            return Results.Ok(result);
        });

        app.MapGet("/orders/{id:int}", async (int id, OrderQueries queries, CancellationToken ct) =>
            await queries.FindAsync(id, ct) is { } order ? Results.Ok(order) : Results.NotFound());

        app.MapPost("/orders", async (PlaceOrderRequest request, OrderCommands commands, OrderQueries queries, CancellationToken ct) =>
        {
            var (orderId, errors) = await commands.PlaceAsync(request, ct);
            if (errors is not null)
                return Results.ValidationProblem(errors);
            var order = await queries.FindAsync(orderId!.Value, ct);
            return Results.Created($"/orders/{orderId}", order);
        });

        return app;
    }

    public static IResult? Validate(int? page, int? pageSize)
    {
        if (page is < 1)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page starts at 1."] });
        if (pageSize is < 1 or > MaxPageSize)
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."],
            });
        return null;
    }
}
