namespace Orders.Api.Orders;

/// <summary>One row of the orders page (back office) and of the customer portal's order history.</summary>
public sealed record OrderSummary(
    int Id,
    string Number,
    string Status,
    DateTime PlacedAt,
    CustomerRef Customer,
    IReadOnlyList<OrderLineSummary> Lines,
    decimal Total);

public sealed record CustomerRef(int Id, string Name);

public sealed record OrderLineSummary(
    int LineNo,
    string Sku,
    string ProductName,
    int Quantity,
    decimal UnitPrice,
    decimal LineTotal);

public sealed record OrderPage(int Page, int PageSize, int TotalCount, IReadOnlyList<OrderSummary> Items);

public sealed record PlaceOrderRequest(int CustomerId, IReadOnlyList<PlaceOrderLine>? Lines);

public sealed record PlaceOrderLine(int ProductId, int Quantity);
