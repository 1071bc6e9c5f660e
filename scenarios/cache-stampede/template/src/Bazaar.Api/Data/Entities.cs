namespace Bazaar.Api.Data;

/// <summary>A member of the marketplace. Every member can buy; members with listings are sellers.</summary>
public sealed class User
{
    public long Id { get; set; }
    public required string Handle { get; set; }
    public required string DisplayName { get; set; }
    public required string City { get; set; }
    public DateTime JoinedAt { get; set; }

    /// <summary>Set by Trust &amp; Safety. A banned member's profile must not be shown to anyone.</summary>
    public DateTime? BannedAt { get; set; }
    public string? BanReason { get; set; }
}

public static class ListingStatus
{
    public const string Active = "active";
    public const string Sold = "sold";
    public const string Withdrawn = "withdrawn";
}

public sealed class Listing
{
    public long Id { get; set; }
    public long SellerId { get; set; }
    public required string Title { get; set; }
    public int PriceCents { get; set; }
    public required string Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SoldAt { get; set; }
}

public sealed class Review
{
    public long Id { get; set; }
    public long SellerId { get; set; }
    public long ReviewerId { get; set; }
    public short Rating { get; set; }
    public required string Comment { get; set; }
    public DateTime CreatedAt { get; set; }
}
