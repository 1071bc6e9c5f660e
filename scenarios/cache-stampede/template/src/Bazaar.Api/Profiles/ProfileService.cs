using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>Serves profiles from an in-process cache; on a miss builds the profile and caches it
/// for the configured TTL.</summary>
public sealed class ProfileService(
    IMemoryCache cache,
    ProfileBuilder builder,
    IOptions<ProfileCacheOptions> options,
    ILogger<ProfileService> logger)
{
    public static string CacheKey(long userId) => $"profile:{userId}";

    public async Task<ProfileLookup> GetAsync(long userId, CancellationToken ct)
    {
        var key = CacheKey(userId);
        if (cache.TryGetValue(key, out UserProfile? cached) && cached is not null)
        {
            return ProfileLookup.Found(cached);
        }

        logger.LogInformation("Profile cache miss for user {UserId}; building", userId);
        var lookup = await builder.BuildAsync(userId, ct);
        if (lookup.Status == ProfileLookupStatus.Found)
        {
            cache.Set(key, lookup.Profile, options.Value.Ttl);
        }

        return lookup;
    }
}
