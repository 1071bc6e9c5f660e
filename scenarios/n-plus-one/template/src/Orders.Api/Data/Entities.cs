namespace Orders.Api.Data;

/// <summary>A business customer of the shop (a company account).</summary>
public class Customer
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Country { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    public List<Order> Orders { get; set; } = [];
}

public class Product
{
    public int Id { get; set; }
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal UnitPrice { get; set; }
}

public static class OrderStatus
{
    public const string Open = "open";
    public const string Shipped = "shipped";
    public const string Invoiced = "invoiced";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Open, Shipped, Invoiced, Cancelled];
}

public class Order
{
    public int Id { get; set; }

    /// <summary>Human-facing order number, e.g. SO-004711; assigned by the database.</summary>
    public string Number { get; set; } = null!;

    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }

    public string Status { get; set; } = OrderStatus.Open;
    public DateTime PlacedAt { get; set; }

    public List<OrderLine> Lines { get; set; } = [];
}

public class OrderLine
{
    public int Id { get; set; }

    public int OrderId { get; set; }
    public Order? Order { get; set; }

    public int LineNo { get; set; }

    public int ProductId { get; set; }
    public Product? Product { get; set; }

    public int Quantity { get; set; }

    /// <summary>Price per unit at the time the order was placed (products are re-priced).</summary>
    public decimal UnitPrice { get; set; }
}
