namespace Shipping.Api.Data;

/// <summary>A parcel we booked with a carrier on behalf of a merchant.</summary>
public class Shipment
{
    public long Id { get; set; }

    /// <summary>Our tracking number, printed on the label (e.g. SHP000481516).</summary>
    public string TrackingNumber { get; set; } = "";

    public int MerchantId { get; set; }

    /// <summary>The merchant's own reference (their order or purchase-order number).</summary>
    public string MerchantReference { get; set; } = "";

    /// <summary>Carrier code, always stored upper-case: DHL, UPS, DPD, POSTNL, GLS, FEDEX, ROYALMAIL.</summary>
    public string Carrier { get; set; } = "";

    /// <summary>standard, express or economy.</summary>
    public string ServiceLevel { get; set; } = "";

    /// <summary>One of <see cref="ShipmentStatus.All"/>.</summary>
    public string Status { get; set; } = ShipmentStatus.LabelCreated;

    public string OriginCountry { get; set; } = "";
    public string DestinationCountry { get; set; } = "";
    public string DestinationPostcode { get; set; } = "";
    public int WeightGrams { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

public static class ShipmentStatus
{
    public const string LabelCreated = "label_created";
    public const string InTransit = "in_transit";
    public const string OutForDelivery = "out_for_delivery";
    public const string Delivered = "delivered";
    public const string Exception = "exception";
    public const string Returned = "returned";
    public const string Lost = "lost";

    public static readonly IReadOnlyList<string> All =
        [LabelCreated, InTransit, OutForDelivery, Delivered, Exception, Returned, Lost];

    public static bool IsKnown(string status) => All.Contains(status);
}

public static class Carriers
{
    public static readonly IReadOnlyList<string> All = ["DHL", "UPS", "DPD", "POSTNL", "GLS", "FEDEX", "ROYALMAIL"];
}
