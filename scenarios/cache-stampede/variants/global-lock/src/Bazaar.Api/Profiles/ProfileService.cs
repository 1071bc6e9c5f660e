using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>Shallow fix: one lock for the whole service around check-build-store. It stops the
/// stampede, and serialises every request behind whichever profile is being built.</summary>
public sealed class ProfileService(
    IMemoryCache cache,
    ProfileBuilder builder,
    IOptions<ProfileCacheOptions> options,
    ILogger<ProfileService> logger)
{
    internal static readonly SemaphoreSlim Lock = new(1, 1);

    public static string CacheKey(long userId) => $"profile:{userId}";

    public async Task<ProfileLookup> GetAsync(long userId, CancellationToken ct)
    {
        await Lock.WaitAsync(ct);
        try
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
                var jitter = options.Value.Jitter * (2 * Random.Shared.NextDouble() - 1);
                cache.Set(key, lookup.Profile, options.Value.Ttl * (1 + jitter));
            }

            return lookup;
        }
        finally
        {
            Lock.Release();
        }
    }

    public async Task EvictAsync(long userId)
    {
        await Lock.WaitAsync();
        try
        {
            cache.Remove(CacheKey(userId));
        }
        finally
        {
            Lock.Release();
        }
    }
}
