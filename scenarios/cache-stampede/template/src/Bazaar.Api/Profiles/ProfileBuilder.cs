using Bazaar.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Bazaar.Api.Profiles;

/// <summary>Builds a profile from scratch: one read of the member, the seller aggregates over
/// listings and reviews, and one call to the profile service. Expensive; callers cache it.</summary>
public sealed class ProfileBuilder(BazaarDbContext db, ProfileSourceClient source, TimeProvider clock, ILogger<ProfileBuilder> logger)
{
    public async Task<ProfileLookup> BuildAsync(long userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return ProfileLookup.NotFound;
        }

        if (user.BannedAt is not null)
        {
            return ProfileLookup.Banned;
        }

        var listings = await db.Listings.AsNoTracking()
            .Where(l => l.SellerId == userId)
            .GroupBy(l => l.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(ct);

        var reviews = await db.Reviews.AsNoTracking()
            .Where(r => r.SellerId == userId)
            .GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Average = g.Average(r => (double)r.Rating) })
            .SingleOrDefaultAsync(ct);

        var external = await source.GetAsync(userId, ct);

        var stats = new SellerStats(
            listings.Where(l => l.Status == ListingStatus.Active).Sum(l => l.Count),
            listings.Where(l => l.Status == ListingStatus.Sold).Sum(l => l.Count),
            reviews?.Count ?? 0,
            reviews is null ? null : Math.Round(reviews.Average, 2));

        logger.LogDebug("Built profile of user {UserId}", userId);
        return ProfileLookup.Found(new UserProfile(
            user.Id,
            user.Handle,
            user.DisplayName,
            user.City,
            user.JoinedAt,
            external?.Headline ?? "",
            external?.Bio ?? "",
            external?.AvatarUrl ?? "",
            external?.Badges ?? [],
            stats,
            clock.GetUtcNow().UtcDateTime));
    }
}
