using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>
/// Valid alternative to per-member locks: a "single flight" per member. The first miss publishes a
/// <see cref="Lazy{T}"/> of the build task in a dictionary; every concurrent miss awaits that same
/// task. The build runs in its own DI scope and is not cancelled by any one caller (callers stop
/// waiting on their own token). A generation number per member, bumped by <see cref="Invalidate"/>,
/// stops a build that started before a ban from storing its result.
/// </summary>
public sealed class SingleFlightProfiles(
    IMemoryCache cache,
    IServiceScopeFactory scopes,
    IOptions<ProfileCacheOptions> options,
    ILogger<SingleFlightProfiles> logger)
{
    private const double Jitter = 0.25;

    private readonly ConcurrentDictionary<long, Lazy<Task<ProfileLookup>>> _inFlight = new();
    private readonly ConcurrentDictionary<long, long> _generations = new();

    private static string Key(long userId) => $"profile:{userId}";

    public Task<ProfileLookup> GetAsync(long userId, CancellationToken ct)
    {
        if (cache.TryGetValue(Key(userId), out UserProfile? hit) && hit is not null)
        {
            return Task.FromResult(ProfileLookup.Found(hit));
        }

        Lazy<Task<ProfileLookup>>? created = null;
        var flight = _inFlight.GetOrAdd(userId, id => created = new Lazy<Task<ProfileLookup>>(() => BuildAndStoreAsync(id)));
        if (ReferenceEquals(flight, created))
        {
            // Forget the flight once it has landed (its result is in the cache by then), unless an
            // invalidation already replaced it.
            _ = flight.Value.ContinueWith(
                _ => _inFlight.TryRemove(KeyValuePair.Create(userId, flight)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return flight.Value.WaitAsync(ct);
    }

    public void Invalidate(long userId)
    {
        _generations.AddOrUpdate(userId, 1, (_, g) => g + 1);
        _inFlight.TryRemove(userId, out _);
        cache.Remove(Key(userId));
        logger.LogInformation("Profile of user {UserId} invalidated", userId);
    }

    private async Task<ProfileLookup> BuildAndStoreAsync(long userId)
    {
        var generation = _generations.GetValueOrDefault(userId);
        logger.LogInformation("Profile cache miss for user {UserId}; building", userId);
        await using var scope = scopes.CreateAsyncScope();
        var lookup = await scope.ServiceProvider.GetRequiredService<ProfileBuilder>().BuildAsync(userId, CancellationToken.None);
        if (lookup.Status == ProfileLookupStatus.Found && _generations.GetValueOrDefault(userId) == generation)
        {
            var lifetime = options.Value.Ttl * (1 + Jitter * (2 * Random.Shared.NextDouble() - 1));
            cache.Set(Key(userId), lookup.Profile, lifetime);
        }

        return lookup;
    }
}
