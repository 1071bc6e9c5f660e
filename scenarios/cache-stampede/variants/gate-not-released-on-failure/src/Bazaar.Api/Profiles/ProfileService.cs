// Shortcut (gate-not-released-on-failure): a per-member SemaphoreSlim single flight that releases
// the gate after a build and when the profile service answers an error, but not when the build ends
// any other way (the call times out, the caller hangs up): that member's gate is then held for ever.
using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>Serves profiles from an in-process cache. A miss takes the member's own gate, so
/// concurrent misses for one member build once and the rest read what it stored; other members are
/// never held up.</summary>
public sealed class ProfileService(
    IMemoryCache cache,
    ProfileBuilder builder,
    IOptions<ProfileCacheOptions> options,
    ILogger<ProfileService> logger)
{
    private static readonly ConcurrentDictionary<long, SemaphoreSlim> Gates = new();

    public static string CacheKey(long userId) => $"profile:{userId}";

    public async Task<ProfileLookup> GetAsync(long userId, CancellationToken ct)
    {
        var key = CacheKey(userId);
        if (cache.TryGetValue(key, out UserProfile? cached) && cached is not null)
        {
            return ProfileLookup.Found(cached);
        }

        var gate = Gates.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);

        // Whoever had the gate before us has most likely just built it.
        if (cache.TryGetValue(key, out cached) && cached is not null)
        {
            gate.Release();
            return ProfileLookup.Found(cached);
        }

        logger.LogInformation("Profile cache miss for user {UserId}; building", userId);
        ProfileLookup lookup;
        try
        {
            lookup = await builder.BuildAsync(userId, ct);
        }
        catch (ProfileSourceUnavailableException)
        {
            // Failures are not cached: let the next request try again.
            gate.Release();
            throw;
        }

        if (lookup.Status == ProfileLookupStatus.Found)
        {
            var jitter = options.Value.Jitter * (2 * Random.Shared.NextDouble() - 1);
            cache.Set(key, lookup.Profile, options.Value.Ttl * (1 + jitter));
        }

        gate.Release();
        return lookup;
    }

    public async Task EvictAsync(long userId)
    {
        // Under the member's gate: a build that is already running stores first, then we remove it.
        var gate = Gates.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        cache.Remove(CacheKey(userId));
        gate.Release();
    }
}
