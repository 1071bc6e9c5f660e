namespace Storefront.Api.Data;

public class Customer
{
    public int Id { get; set; }
    public required string Email { get; set; }
    public required string FullName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<Order> Orders { get; set; } = [];
}

public enum OrderStatus
{
    AwaitingPayment,
    Paid,
    Cancelled,
}

public class Order
{
    public int Id { get; set; }

    /// <summary>Customer-facing number, e.g. ORD-004217. This is what the payment provider echoes back.</summary>
    public required string Number { get; set; }

    public int CustomerId { get; set; }
    public Customer Customer { get; set; } = null!;
    public OrderStatus Status { get; set; }
    public long TotalCents { get; set; }
    public required string Currency { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>The provider's payment id (pay_...), kept for refunds and support.</summary>
    public string? PaymentReference { get; set; }

    public List<OrderLine> Lines { get; set; } = [];
}

public class OrderLine
{
    public int Id { get; set; }
    public int OrderId { get; set; }
    public required string Sku { get; set; }
    public required string Description { get; set; }
    public int Quantity { get; set; }
    public long UnitPriceCents { get; set; }
}

/// <summary>
/// A request to the warehouse to pick, pack and ship an order. The warehouse system polls this
/// table (it is their integration contract): every row is one parcel that leaves the building.
/// </summary>
public class FulfilmentRequest
{
    public long Id { get; set; }
    public int OrderId { get; set; }
    public Order Order { get; set; } = null!;
    public required string Status { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
}
