using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace CacheStampede.Hidden;

/// <summary>Black-box tests of GET /users/{id}/profile: load coalescing at expiry, no global
/// serialisation, invalidation on ban, and jittered expiry. Every count is taken at the fake
/// profile service, which the service calls once per profile build.</summary>
public sealed class ProfileCacheTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await Grader.Profiles.ResetAsync(Ct);

    public async ValueTask DisposeAsync() => await Grader.Profiles.SetDelayAsync(TimeSpan.Zero);

    private static async Task<HttpStatusCode[]> Burst(long userId, int requests)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => Grader.GetProfile(userId, Ct)));
        var codes = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        return codes;
    }

    private static void AllOk(HttpStatusCode[] codes, string what)
    {
        var bad = codes.Where(c => c != HttpStatusCode.OK).Select(c => (int)c).ToArray();
        Assert.True(bad.Length == 0, $"{what}: {bad.Length} of {codes.Length} requests did not answer 200 (got {string.Join(", ", bad.Distinct())})");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task BurstAtExpiryLoadsTheProfileSourceOnce()
    {
        const int requests = 50;
        var user = Members.Take();
        await Grader.WarmAsync(user, Ct);

        // Past the expiry of the entry, whatever jitter the service applies (README: at most +30 %).
        await Task.Delay(Grader.Ttl * 1.6, Ct);
        await Grader.Profiles.SetDelayAsync(TimeSpan.FromSeconds(1), Ct);
        var before = (await Grader.Profiles.StatsAsync(Ct)).LoadsOf(user);

        var codes = await Burst(user, requests);

        var loads = (await Grader.Profiles.StatsAsync(Ct)).LoadsOf(user) - before;
        Grader.Metric("source_loads_per_burst", loads);
        AllOk(codes, $"burst of {requests} concurrent requests for user {user} at expiry");
        Assert.True(loads <= 2,
            $"a burst of {requests} concurrent requests at expiry loaded user {user}'s profile {loads} times from the profile source (expected at most 2)");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task BurstsForTwoUsersLoadEachOnceAndInParallel()
    {
        const int perUser = 25;
        var (first, second) = Members.TakePair();
        await Grader.Profiles.SetDelayAsync(TimeSpan.FromMilliseconds(1500), Ct);

        var firstBurst = Burst(first, perUser);
        var secondBurst = Burst(second, perUser);
        var codes = await Task.WhenAll(firstBurst, secondBurst);

        var stats = await Grader.Profiles.StatsAsync(Ct);
        AllOk(codes[0], $"burst for user {first}");
        AllOk(codes[1], $"burst for user {second}");
        var (firstLoads, secondLoads) = (stats.LoadsOf(first), stats.LoadsOf(second));
        Assert.True(firstLoads <= 2 && secondLoads <= 2,
            $"bursts of {perUser} concurrent requests for each of users {first} and {second} loaded their profiles {firstLoads} and {secondLoads} times from the profile source (expected at most 2 each)");
        Assert.True(stats.PeakConcurrentLoads >= 2,
            $"loads of two different users never overlapped at the profile source (peak concurrent loads {stats.PeakConcurrentLoads} while each load took 1500 ms): a slow load of one user blocks loads of every other user");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task CachedProfileIsServedQuicklyWhileAnotherUserLoadsSlowly()
    {
        const int requests = 10;
        var cached = Members.Take();
        var slow = Members.Take();
        await Grader.WarmAsync(cached, Ct);
        await Grader.Profiles.SetDelayAsync(TimeSpan.FromSeconds(3), Ct);

        var burst = Burst(slow, requests);
        await Task.Delay(300, Ct);
        var watch = Stopwatch.StartNew();
        using var response = await Grader.GetProfile(cached, Ct);
        var elapsed = watch.ElapsedMilliseconds;
        var codes = await burst;

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /users/{cached}/profile (cached) answered {(int)response.StatusCode}, expected 200");
        Assert.True(elapsed < 1000,
            $"a request for cached user {cached} took {elapsed} ms while user {slow}'s profile was loading for 3000 ms (expected under 1000 ms): requests for other users wait behind one slow load");
        AllOk(codes, $"burst for user {slow}");
        var loads = (await Grader.Profiles.StatsAsync(Ct)).LoadsOf(slow);
        Assert.True(loads <= 2,
            $"a burst of {requests} concurrent requests for user {slow} loaded the profile {loads} times while the profile source was slow (expected at most 2)");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task BannedUserIsNotServedFromCache()
    {
        var user = Members.Take();
        await Grader.WarmAsync(user, Ct);
        await Grader.WarmAsync(user, Ct);

        using (var ban = await Grader.Service.PostAsJsonAsync($"admin/users/{user}/ban", new { reason = "grader: fraud report" }, Ct))
        {
            Assert.True(ban.StatusCode == HttpStatusCode.NoContent, $"POST /admin/users/{user}/ban answered {(int)ban.StatusCode}, expected 204");
        }

        Assert.True(await Members.IsBannedInDatabase(user, Ct), $"POST /admin/users/{user}/ban answered 204 but users.banned_at is still null");
        using var after = await Grader.GetProfile(user, Ct);
        Assert.True(after.StatusCode == HttpStatusCode.NotFound,
            $"user {user} was banned but GET /users/{user}/profile still answered {(int)after.StatusCode} right after the ban (expected 404 at once, not when the cache entry expires)");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task BanDuringASlowLoadIsNotUndoneByThatLoad()
    {
        var user = Members.Take();
        await Grader.Profiles.SetDelayAsync(TimeSpan.FromMilliseconds(1500), Ct);

        // A profile build starts (it reads the member before the ban), then the ban lands while
        // the profile service is still answering.
        var inFlight = Grader.GetProfile(user, Ct);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await Grader.Profiles.StatsAsync(Ct)).LoadsOf(user) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.True((await Grader.Profiles.StatsAsync(Ct)).LoadsOf(user) > 0, $"GET /users/{user}/profile never called the profile service within 5 s");
        using (var ban = await Grader.Service.PostAsJsonAsync($"admin/users/{user}/ban", new { reason = "grader: fraud report" }, Ct))
        {
            Assert.True(ban.StatusCode == HttpStatusCode.NoContent, $"POST /admin/users/{user}/ban answered {(int)ban.StatusCode}, expected 204");
        }

        (await inFlight).Dispose(); // whatever it answered: it started before the ban
        await Grader.Profiles.SetDelayAsync(TimeSpan.Zero, Ct);

        var codes = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var after = await Grader.GetProfile(user, Ct);
            codes.Add((int)after.StatusCode);
        }

        Assert.True(codes.All(c => c == 404),
            $"user {user} was banned while its profile was loading, and after the ban had returned GET /users/{user}/profile answered {string.Join(", ", codes)} (expected 404 every time: the load that started before the ban cached the profile again)");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task ExpiriesOfProfilesCachedTogetherAreSpread()
    {
        const int count = 40;
        var users = Members.Take(count);

        // Warm the service up first (database connections, JIT of the miss and hit paths) with
        // bursts for other members, so that start-up costs do not add noise to the build times
        // measured below.
        var others = Members.Take(20);
        for (var round = 0; round < 5; round++)
        {
            AllOk(await Task.WhenAll(others.Select(async u =>
            {
                using var r = await Grader.GetProfile(u, Ct);
                return r.StatusCode;
            })), "warm-up");
        }

        // Cache the 40 profiles back to back (well under a tenth of the TTL); each one's lifetime
        // is measured at the fake, from its first build to its rebuild.
        foreach (var u in users)
        {
            await Grader.WarmAsync(u, Ct);
        }

        // Keep asking for every profile until each has been rebuilt once: one independent loop per
        // member (a slow answer for one member does not delay the others), and one loop that
        // watches the fake to tell the member loops when to stop.
        var deadline = DateTime.UtcNow + Grader.Ttl * 2.2;
        var stats = await Grader.Profiles.StatsAsync(Ct);
        var done = false;
        var watcher = Task.Run(async () =>
        {
            while (!done && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, Ct);
                var latest = await Grader.Profiles.StatsAsync(Ct);
                stats = latest;
                done = users.All(u => latest.LoadsOf(u) >= 2);
            }

            done = true;
        }, Ct);
        await Task.WhenAll(users.Select((u, i) => Task.Run(async () =>
        {
            await Task.Delay(i * 100 / users.Length, Ct); // staggered: about 400 requests per second in all
            while (!done && stats.LoadsOf(u) < 2)
            {
                (await Grader.GetProfile(u, Ct)).Dispose();
                await Task.Delay(100, Ct);
            }
        }, Ct)));
        await watcher;
        stats = await Grader.Profiles.StatsAsync(Ct);

        var lifetimes = users.Select(u => stats.LoadTimes(u)).Where(t => t.Length >= 2).Select(t => (double)(t[1] - t[0])).Order().ToArray();
        Assert.True(lifetimes.Length >= count * 3 / 4,
            $"only {lifetimes.Length} of {count} profiles cached together were rebuilt within {(Grader.Ttl * 2.2).TotalMilliseconds} ms (TTL {Grader.Ttl.TotalMilliseconds} ms): entries live far longer than the configured TTL");

        TestContext.Current.TestOutputHelper?.WriteLine($"lifetimes (ms): {string.Join(", ", lifetimes)}");
        var p10 = lifetimes[(int)Math.Floor(0.1 * (lifetimes.Length - 1))];
        var p90 = lifetimes[(int)Math.Ceiling(0.9 * (lifetimes.Length - 1))];
        var spread = p90 - p10;
        var required = Grader.Ttl.TotalMilliseconds * 0.16; // README: a window of at least 40 % of the TTL
        Grader.Metric("expiry_spread_percent_of_ttl", Math.Round(100 * spread / Grader.Ttl.TotalMilliseconds, 1));
        Assert.True(spread >= required,
            $"profiles cached together expire together: the lifetimes of {lifetimes.Length} entries cached together spread over {spread} ms between the 10th and 90th percentile (min {lifetimes[0]} ms, max {lifetimes[^1]} ms, TTL {Grader.Ttl.TotalMilliseconds} ms; expected at least {required} ms)");
    }
}
