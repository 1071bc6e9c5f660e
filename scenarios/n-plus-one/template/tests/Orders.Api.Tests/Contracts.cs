namespace Orders.Api.Tests;

// The JSON the clients (back-office UI, customer portal) depend on, as the tests read it.
public sealed record OrderPageJson(int Page, int PageSize, int TotalCount, List<OrderJson> Items);

public sealed record OrderJson(
    int Id, string Number, string Status, DateTime PlacedAt, CustomerJson Customer, List<LineJson> Lines, decimal Total);

public sealed record CustomerJson(int Id, string Name);

public sealed record LineJson(int LineNo, string Sku, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);
