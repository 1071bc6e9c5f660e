using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Xunit;

// The tests share one service and one fake: they must not run at the same time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace CacheStampede.Hidden;

/// <summary>What the grading host hands the hidden tests (docs/scenarios.md, "What hidden tests receive").</summary>
internal static class Grader
{
    /// <summary>Mirrors <c>ProfileCache__Ttl</c> in scenario.yaml's service.environment.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    /// <summary>Mirrors <c>ProfileSource__Timeout</c> in scenario.yaml's service.environment: how long the
    /// service waits for the profile service before the call counts as failed.</summary>
    public static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The README: once the profile service answers again, the next requests for a member get
    /// the profile within this long.</summary>
    public static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(5);

    /// <summary>The member scenario.yaml's benchmark requests (GET /users/1/profile) after the hidden
    /// tests: no test may ban it or make its loads fail.</summary>
    public const long BenchmarkUser = 1;

    public static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"grader environment variable {name} is not set");

    public static readonly HttpClient Service = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = new Uri(Required("ASSESS_SERVICE_URL").TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static readonly ProfilesFake Profiles = new(Required("ASSESS_FAKE_PROFILES_URL"));

    public static NpgsqlConnection Database() => new(Required("ASSESS_GRADER_DATABASE"));

    private static readonly object MetricsGate = new();

    /// <summary>Appends one sample to ASSESS_METRICS_FILE when the host asked for metrics.</summary>
    public static void Metric(string key, double value)
    {
        var file = Environment.GetEnvironmentVariable("ASSESS_METRICS_FILE");
        if (string.IsNullOrEmpty(file))
        {
            return;
        }

        lock (MetricsGate)
        {
            File.AppendAllText(file, JsonSerializer.Serialize(new { key, value }) + "\n");
        }
    }

    public static Task<HttpResponseMessage> GetProfile(long userId, CancellationToken ct) =>
        Service.GetAsync($"users/{userId}/profile", ct);

    /// <summary>GET /users/{id}/profile as a client that waits at most <paramref name="timeout"/>, or
    /// until <paramref name="giveUp"/> is cancelled, and then hangs up; never throws for the service's
    /// sake, so a burst reports every request's outcome.</summary>
    public static async Task<Answer> TryGetProfile(long userId, TimeSpan timeout, CancellationToken giveUp, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, giveUp);
        cts.CancelAfter(timeout);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var response = await Service.GetAsync($"users/{userId}/profile", cts.Token);
            return new Answer((int)response.StatusCode, watch.ElapsedMilliseconds, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Answer(null, watch.ElapsedMilliseconds,
                giveUp.IsCancellationRequested ? "hung up by the client" : $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new Answer(null, watch.ElapsedMilliseconds, $"connection failed ({e.HttpRequestError})");
        }
    }

    /// <summary>"503 ×4, no answer within 5 s ×1".</summary>
    public static string Summary(IEnumerable<Answer> answers) =>
        string.Join(", ", answers.GroupBy(a => a.ToString()).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}"));

    public static async Task WarmAsync(long userId, CancellationToken ct)
    {
        using var response = await GetProfile(userId, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"warm-up: GET /users/{userId}/profile answered {(int)response.StatusCode}, expected 200");
    }
}

/// <summary>Members to test with: distinct within a run, never banned, taken at random so runs do not
/// collide, never the benchmark's member (tests ban some and make the profile service fail for others).</summary>
internal static class Members
{
    private static readonly object Gate = new();
    private static Queue<long>? _free;

    public static long Take() => Take(1)[0];

    public static long[] Take(int count)
    {
        lock (Gate)
        {
            if (_free is null)
            {
                using var db = Grader.Database();
                db.Open();
                using var cmd = new NpgsqlCommand("SELECT id FROM users WHERE banned_at IS NULL AND id <> @benchmark ORDER BY random() LIMIT 1000", db);
                cmd.Parameters.AddWithValue("benchmark", Grader.BenchmarkUser);
                using var reader = cmd.ExecuteReader();
                var ids = new List<long>();
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }

                _free = new Queue<long>(ids);
            }

            if (_free.Count < count)
            {
                throw new InvalidOperationException($"the grader ran out of unbanned members in the users table ({_free.Count} left)");
            }

            return Enumerable.Range(0, count).Select(_ => _free.Dequeue()).ToArray();
        }
    }

    /// <summary>Two members whose ids differ by an odd number (never the same stripe of a power-of-two lock array).</summary>
    public static (long, long) TakePair()
    {
        var first = Take();
        while (true)
        {
            var second = Take();
            if (((first ^ second) & 1) == 1)
            {
                return (first, second);
            }
        }
    }

    public static async Task<bool> IsBannedInDatabase(long userId, CancellationToken ct)
    {
        await using var db = Grader.Database();
        await db.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT banned_at IS NOT NULL FROM users WHERE id = @id", db);
        cmd.Parameters.AddWithValue("id", userId);
        return await cmd.ExecuteScalarAsync(ct) is true;
    }
}

/// <summary>One request's outcome: its status, or why there was none.</summary>
internal sealed record Answer(int? Status, long Milliseconds, string? Error)
{
    public override string ToString() => Status is { } status ? status.ToString() : Error ?? "no answer";
}

internal sealed record ProfilesStats(
    [property: JsonPropertyName("totalLoads")] int TotalLoads,
    [property: JsonPropertyName("inFlight")] int InFlight,
    [property: JsonPropertyName("peakConcurrentLoads")] int PeakConcurrentLoads,
    [property: JsonPropertyName("loads")] Dictionary<string, long[]> Loads,
    [property: JsonPropertyName("failed")] Dictionary<string, int> Failed)
{
    public long[] LoadTimes(long userId) => Loads.TryGetValue(userId.ToString(), out var times) ? times : [];

    public int LoadsOf(long userId) => LoadTimes(userId).Length;
}

/// <summary>The control API of the fake profile service.</summary>
internal sealed class ProfilesFake(string baseUrl)
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(15) };

    public async Task<ProfilesStats> StatsAsync(CancellationToken ct = default) =>
        await _http.GetFromJsonAsync<ProfilesStats>("_control/stats", ct)
        ?? throw new InvalidOperationException("the profiles fake sent empty stats");

    public async Task SetDelayAsync(TimeSpan delay, CancellationToken ct = default) =>
        (await _http.PostAsync($"_control/delay?ms={(int)delay.TotalMilliseconds}", null, ct)).EnsureSuccessStatusCode();

    /// <summary>Every later load of <paramref name="userId"/> fails: <c>error</c> (503), <c>drop</c> (the
    /// connection closes without an answer) or <c>hang</c> (no answer until the caller gives up).</summary>
    public async Task FailAsync(long userId, string mode, CancellationToken ct = default) =>
        (await _http.PostAsync($"_control/fail?user={userId}&mode={mode}", null, ct)).EnsureSuccessStatusCode();

    /// <summary>Back to a healthy, fast profile service (loads left hanging answer at once); counts are kept.</summary>
    public async Task HealAsync(CancellationToken ct = default) =>
        (await _http.PostAsync("_control/heal", null, ct)).EnsureSuccessStatusCode();

    /// <summary>Heals, waits for loads still running from an earlier test, then forgets everything.</summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await HealAsync(ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await StatsAsync(ct)).InFlight > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        (await _http.PostAsync("_control/reset", null, ct)).EnsureSuccessStatusCode();
    }
}
