namespace Bazaar.Api.Profiles;

/// <summary>The public profile page of a member: identity from our database, seller statistics
/// aggregated from listings and reviews, and the self-edited parts from the profile service.</summary>
public sealed record UserProfile(
    long UserId,
    string Handle,
    string DisplayName,
    string City,
    DateTime MemberSince,
    string Headline,
    string Bio,
    string AvatarUrl,
    IReadOnlyList<string> Badges,
    SellerStats Seller,
    DateTime GeneratedAt);

public sealed record SellerStats(int ActiveListings, int ItemsSold, int Reviews, double? AverageRating);

public enum ProfileLookupStatus
{
    Found,
    NotFound,
    Banned,
}

public sealed record ProfileLookup(ProfileLookupStatus Status, UserProfile? Profile)
{
    public static readonly ProfileLookup NotFound = new(ProfileLookupStatus.NotFound, null);
    public static readonly ProfileLookup Banned = new(ProfileLookupStatus.Banned, null);
    public static ProfileLookup Found(UserProfile profile) => new(ProfileLookupStatus.Found, profile);
}
