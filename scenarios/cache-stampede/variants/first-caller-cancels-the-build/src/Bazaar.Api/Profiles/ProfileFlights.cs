// Shortcut (first-caller-cancels-the-build): one shared build per member, but it runs on the first
// caller's request, with its builder and its RequestAborted token: when that client hangs up, the
// build is cancelled and every request waiting for it fails with it.
using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>
/// One build in flight per member: the first miss publishes a <see cref="Lazy{T}"/> of the build
/// and every concurrent miss awaits the same task, so a burst costs one call to the profile
/// service. The flight is forgotten as soon as it lands, failed or not, so a failure is never
/// served twice. A generation per member, bumped by <see cref="Invalidate"/>, keeps a build that
/// started before a ban from storing its result.
/// </summary>
public sealed class ProfileFlights(IMemoryCache cache, IOptions<ProfileCacheOptions> options, ILogger<ProfileFlights> logger)
{
    private readonly ConcurrentDictionary<long, Lazy<Task<ProfileLookup>>> _inFlight = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();

    public static string CacheKey(long userId) => $"profile:{userId}";

    public async Task<ProfileLookup> GetAsync(long userId, ProfileBuilder builder, CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey(userId), out UserProfile? hit) && hit is not null)
        {
            return ProfileLookup.Found(hit);
        }

        var flight = _inFlight.GetOrAdd(userId, id => new Lazy<Task<ProfileLookup>>(() => BuildAndStoreAsync(id, builder, ct)));
        try
        {
            return await flight.Value;
        }
        finally
        {
            // Landed (stored, or failed): later misses start a new flight.
            _inFlight.TryRemove(KeyValuePair.Create(userId, flight));
        }
    }

    public void Invalidate(long userId)
    {
        _generations.AddOrUpdate(userId, 1, (_, g) => g + 1);
        _inFlight.TryRemove(userId, out _);
        cache.Remove(CacheKey(userId));
        logger.LogInformation("Profile of user {UserId} invalidated", userId);
    }

    private async Task<ProfileLookup> BuildAndStoreAsync(long userId, ProfileBuilder builder, CancellationToken ct)
    {
        var generation = _generations.GetValueOrDefault(userId);
        logger.LogInformation("Profile cache miss for user {UserId}; building", userId);
        var lookup = await builder.BuildAsync(userId, ct);
        if (lookup.Status == ProfileLookupStatus.Found && _generations.GetValueOrDefault(userId) == generation)
        {
            var jitter = Math.Clamp(options.Value.Jitter, 0, 0.5) * (2 * Random.Shared.NextDouble() - 1);
            cache.Set(CacheKey(userId), lookup.Profile, options.Value.Ttl * (1 + jitter));
        }

        return lookup;
    }
}
