using Shipping.Api.Data;

namespace Shipping.Api.Shipments;

/// <summary>One row of the operations dashboard.</summary>
public record ShipmentDto(
    long Id,
    string TrackingNumber,
    int MerchantId,
    string MerchantReference,
    string Carrier,
    string ServiceLevel,
    string Status,
    string OriginCountry,
    string DestinationCountry,
    string DestinationPostcode,
    int WeightGrams,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeliveredAt)
{
    public static ShipmentDto From(Shipment s) => new(
        s.Id, s.TrackingNumber, s.MerchantId, s.MerchantReference, s.Carrier, s.ServiceLevel, s.Status,
        s.OriginCountry, s.DestinationCountry, s.DestinationPostcode, s.WeightGrams, s.CreatedAt, s.UpdatedAt, s.DeliveredAt);
}

/// <summary>A page of search results; <c>NextCursor</c> continues it, null on the last page.</summary>
public record SearchPage(IReadOnlyList<ShipmentDto> Items, int PageSize, bool HasMore, string? NextCursor);

/// <summary>What a carrier integration posts when it books a label.</summary>
public record CreateShipmentRequest(
    int MerchantId,
    string? MerchantReference,
    string Carrier,
    string? ServiceLevel,
    string? Status,
    string OriginCountry,
    string DestinationCountry,
    string DestinationPostcode,
    int WeightGrams);

/// <summary>A tracking event from a carrier: the parcel's new status.</summary>
public record TrackingEventRequest(string Status);
