using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bazaar.Api.Profiles;

/// <summary>
/// The profile cache with one build per member at a time.
/// <para>A miss takes a gate that belongs to that member only (a <see cref="SemaphoreSlim"/> created
/// on demand and dropped when nobody holds or waits for it). The first request builds; the
/// requests that queued behind it find the entry on their second look and never reach the
/// profile service. Members never share a gate, so a slow build for one member does not delay
/// anyone else, and hits never touch a gate at all.</para>
/// <para>Expiry is the TTL ± <see cref="ProfileCacheOptions.Jitter"/>, drawn per entry.</para>
/// <para><see cref="InvalidateAsync"/> evicts under the same gate: it waits for a build that is
/// already running (which may have read the member before the change) to store its result, then
/// removes it, so such a build cannot put a stale profile back after the eviction.</para>
/// </summary>
public sealed class ProfileCache(IMemoryCache cache, IOptions<ProfileCacheOptions> options, ILogger<ProfileCache> logger)
{
    private readonly Dictionary<long, Gate> _gates = new();

    public static string CacheKey(long userId) => $"profile:{userId}";

    public async Task<ProfileLookup> GetOrBuildAsync(long userId, Func<CancellationToken, Task<ProfileLookup>> build, CancellationToken ct)
    {
        var key = CacheKey(userId);
        if (cache.TryGetValue(key, out UserProfile? hit) && hit is not null)
        {
            return ProfileLookup.Found(hit);
        }

        using (await AcquireAsync(userId, ct))
        {
            // Whoever held the gate before us has most likely just built it.
            if (cache.TryGetValue(key, out hit) && hit is not null)
            {
                return ProfileLookup.Found(hit);
            }

            var lookup = await build(ct);
            if (lookup.Status == ProfileLookupStatus.Found)
            {
                cache.Set(key, lookup.Profile, NextLifetime());
            }

            return lookup;
        }
    }

    /// <summary>Removes the member's profile; returns once no build that started earlier can store it again.</summary>
    public async Task InvalidateAsync(long userId)
    {
        // Not cancellable: the caller has already changed the member; the eviction must happen.
        using (await AcquireAsync(userId, CancellationToken.None))
        {
            cache.Remove(CacheKey(userId));
        }

        logger.LogInformation("Profile of user {UserId} evicted", userId);
    }

    internal TimeSpan NextLifetime()
    {
        var ttl = options.Value.Ttl;
        var jitter = Math.Clamp(options.Value.Jitter, 0, 0.5);
        return ttl * (1 + jitter * (2 * Random.Shared.NextDouble() - 1));
    }

    internal int GatesInUse
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    private async Task<Releaser> AcquireAsync(long userId, CancellationToken ct)
    {
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(userId, out gate!))
            {
                _gates[userId] = gate = new Gate();
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(ct);
        }
        catch
        {
            Leave(userId, gate);
            throw;
        }

        return new Releaser(this, userId, gate);
    }

    private void Leave(long userId, Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(userId);
            }
        }
    }

    private sealed class Gate
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
    }

    private readonly struct Releaser(ProfileCache owner, long userId, Gate gate) : IDisposable
    {
        public void Dispose()
        {
            gate.Semaphore.Release();
            owner.Leave(userId, gate);
        }
    }
}
