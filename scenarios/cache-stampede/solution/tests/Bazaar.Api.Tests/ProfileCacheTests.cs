using Bazaar.Api.Profiles;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Bazaar.Api.Tests;

/// <summary>The cache on its own, no database: one build per member, members independent,
/// jittered lifetimes, eviction that a running build cannot undo, nothing left behind by a build
/// that failed or whose caller went away.</summary>
public sealed class ProfileCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    private static ProfileCache NewCache(double jitter = 0.2) =>
        new(new MemoryCache(new MemoryCacheOptions()), Options.Create(new ProfileCacheOptions { Ttl = Ttl, Jitter = jitter }), NullLogger<ProfileCache>.Instance);

    private static ProfileLookup Profile(long userId, string headline = "h") =>
        ProfileLookup.Found(new UserProfile(userId, $"member{userId}", "Name", "Lisbon", DateTime.UtcNow, headline, "", "", [], new SellerStats(0, 0, 0, null), DateTime.UtcNow));

    [Fact]
    public async Task Concurrent_misses_for_one_member_build_once()
    {
        var cache = NewCache();
        var builds = 0;
        var release = new TaskCompletionSource();

        var requests = Enumerable.Range(0, 50).Select(_ => cache.GetOrBuildAsync(7, async _ =>
        {
            Interlocked.Increment(ref builds);
            await release.Task;
            return Profile(7);
        }, TestContext.Current.CancellationToken)).ToList();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, builds);
        Assert.All(results, r => Assert.Equal(ProfileLookupStatus.Found, r.Status));
        Assert.Equal(0, cache.GatesInUse);
    }

    [Fact]
    public async Task A_slow_build_does_not_hold_up_other_members()
    {
        var cache = NewCache();
        var slow = new TaskCompletionSource();
        var slowBuild = cache.GetOrBuildAsync(1, async _ => { await slow.Task; return Profile(1); }, TestContext.Current.CancellationToken);

        var other = await cache.GetOrBuildAsync(2, _ => Task.FromResult(Profile(2)), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(ProfileLookupStatus.Found, other.Status);
        Assert.False(slowBuild.IsCompleted);
        slow.SetResult();
        await slowBuild;
    }

    [Fact]
    public void Lifetimes_are_spread_around_the_ttl()
    {
        var cache = NewCache(jitter: 0.2);
        var lifetimes = Enumerable.Range(0, 1000).Select(_ => cache.NextLifetime()).ToList();

        Assert.All(lifetimes, l => Assert.InRange(l, Ttl * 0.8, Ttl * 1.2));
        Assert.True(lifetimes.Max() - lifetimes.Min() > Ttl * 0.35, "lifetimes are not spread");
    }

    [Fact]
    public async Task A_build_that_started_before_an_eviction_cannot_put_the_profile_back()
    {
        var cache = NewCache();
        var release = new TaskCompletionSource();
        var staleBuild = cache.GetOrBuildAsync(3, async _ => { await release.Task; return Profile(3, "stale"); }, TestContext.Current.CancellationToken);

        var eviction = cache.InvalidateAsync(3);
        Assert.False(eviction.IsCompleted);
        release.SetResult();
        await staleBuild;
        await eviction;

        var fresh = await cache.GetOrBuildAsync(3, _ => Task.FromResult(Profile(3, "fresh")), TestContext.Current.CancellationToken);
        Assert.Equal("fresh", fresh.Profile!.Headline);
    }

    [Fact]
    public async Task Not_found_and_banned_are_not_cached()
    {
        var cache = NewCache();
        await cache.GetOrBuildAsync(4, _ => Task.FromResult(ProfileLookup.Banned), TestContext.Current.CancellationToken);

        var next = await cache.GetOrBuildAsync(4, _ => Task.FromResult(Profile(4)), TestContext.Current.CancellationToken);

        Assert.Equal(ProfileLookupStatus.Found, next.Status);
    }

    [Fact]
    public async Task A_failed_or_timed_out_build_leaves_nothing_behind()
    {
        var cache = NewCache();
        await Assert.ThrowsAsync<ProfileSourceUnavailableException>(() =>
            cache.GetOrBuildAsync(5, _ => throw new ProfileSourceUnavailableException("profile service answered 503"), TestContext.Current.CancellationToken));
        // What HttpClient throws when its own timeout runs out.
        await Assert.ThrowsAsync<TaskCanceledException>(() =>
            cache.GetOrBuildAsync(5, _ => Task.FromException<ProfileLookup>(new TaskCanceledException("timed out")), TestContext.Current.CancellationToken));
        Assert.Equal(0, cache.GatesInUse);

        var next = await cache.GetOrBuildAsync(5, _ => Task.FromResult(Profile(5)), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(ProfileLookupStatus.Found, next.Status);
    }

    [Fact]
    public async Task Waiters_get_the_profile_when_the_first_caller_goes_away()
    {
        var cache = NewCache();
        using var firstCaller = new CancellationTokenSource();
        var first = cache.GetOrBuildAsync(6, async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return Profile(6, "never");
        }, firstCaller.Token);
        var waiter = cache.GetOrBuildAsync(6, _ => Task.FromResult(Profile(6, "second")), TestContext.Current.CancellationToken);

        firstCaller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var result = await waiter.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("second", result.Profile!.Headline);
        Assert.Equal(0, cache.GatesInUse);
    }
}
