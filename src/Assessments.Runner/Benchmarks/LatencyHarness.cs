using System.Diagnostics;
using System.Text.Json;

// This file is also the whole program the grader's side runs to time endpoints (built in the
// sandbox from this source, see LatencyHarnessProject): it may use the base library only.
namespace Assessments.Runner.Benchmarks;

/// <summary>What to time: every endpoint on every target, <see cref="Rounds"/> rounds of
/// <see cref="Requests"/> sequential requests (fewer for a slow service, see
/// <see cref="MaximumTurnSeconds"/>), after <see cref="Warmup"/> untimed ones.</summary>
/// <param name="TurnWarmup">Untimed requests at the start of every turn: the first requests after
/// the other side's turn pay for the CPU caches and database pages that side displaced, a cost of
/// the alternation, not of the service.</param>
/// <param name="MinimumWarmupSeconds">Warm-up goes on until it has also lasted this long per target
/// and endpoint: a fast service needs many more requests than a slow one before its code is
/// compiled at the runtime's top tier.</param>
/// <param name="MinimumTurnSeconds">A turn goes on until it has also lasted this long: a fast
/// service answers many requests in it, so its round median is as steady as a slow one's.</param>
/// <param name="MaximumTurnSeconds">A turn (and a target's warm-up on an endpoint) past its minimum
/// time ends once it has lasted this long and made <see cref="MinimumRequests"/> requests, however
/// many <see cref="Requests"/> (or <see cref="Warmup"/>) asks for; 0 for no cap. A service that
/// takes seconds a request varies little from one to the next, and its full counts could take the
/// benchmarks past the tests' limit.</param>
/// <param name="MinimumRequests">Requests a capped turn still makes: a median of at least three.</param>
public sealed record LatencyPlan(
    IReadOnlyList<LatencyTarget> Targets,
    IReadOnlyList<LatencyEndpoint> Endpoints,
    int Rounds,
    int Warmup,
    int Requests,
    double RequestTimeoutSeconds,
    int TurnWarmup = 0,
    double MinimumWarmupSeconds = 0,
    double MinimumTurnSeconds = 0,
    double MaximumTurnSeconds = 0,
    int MinimumRequests = 3)
{
    /// <summary>Whether a turn (or warm-up) that made <paramref name="made"/> of its
    /// <paramref name="requests"/> requests in <paramref name="elapsedSeconds"/> goes on. Its
    /// minimum time always runs: a fast service's warm-up needs it whatever the cap.</summary>
    public bool GoesOn(int made, int requests, double minimumSeconds, double elapsedSeconds) =>
        elapsedSeconds < minimumSeconds
        || (made < requests && (MaximumTurnSeconds <= 0 || elapsedSeconds < MaximumTurnSeconds || made < MinimumRequests));
}

/// <summary>A service to time, by its base URL on the shared loopback.</summary>
public sealed record LatencyTarget(string Name, string BaseUrl);

/// <summary>A GET request, by path and query.</summary>
public sealed record LatencyEndpoint(string Name, string Path);

/// <summary>One target's requests to one endpoint in one round.</summary>
/// <param name="Position">Where the target stood in the round's order (0 first).</param>
/// <param name="LatenciesMs">The answered requests' times, in order; failed requests are left out.</param>
/// <param name="Failed">Requests that threw or answered other than 2xx.</param>
/// <param name="FirstError">What the first failed request got.</param>
public sealed record LatencyMeasurement(int Round, string Target, string Endpoint, int Position, IReadOnlyList<double> LatenciesMs, int Failed, string? FirstError);

/// <summary>Times GET endpoints of several services on the shared loopback, the services taking
/// turns within each round and swapping order from round to round (A B, B A, A B …), so that
/// whatever the machine does meanwhile lands on both and cancels in their ratio.</summary>
public static class LatencyHarness
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The program: <c>PLAN.json RESULT.json</c>. Exit 0 with the result written, 2 on a bad plan.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length != 2)
        {
            await Console.Error.WriteLineAsync("usage: latency-harness PLAN.json RESULT.json");
            return 2;
        }

        var plan = JsonSerializer.Deserialize<LatencyPlan>(await File.ReadAllTextAsync(args[0]), Json);
        if (plan is null || plan.Targets.Count == 0 || plan.Endpoints.Count == 0 || plan.Rounds < 1 || plan.Requests < 1)
        {
            await Console.Error.WriteLineAsync($"{args[0]}: a plan needs targets, endpoints, rounds and requests");
            return 2;
        }

        var measurements = await RunAsync(plan, CancellationToken.None);
        await File.WriteAllTextAsync(args[1], JsonSerializer.Serialize(measurements, Json));
        return 0;
    }

    /// <summary>Runs <paramref name="plan"/>; one measurement per round, target and endpoint.</summary>
    public static async Task<IReadOnlyList<LatencyMeasurement>> RunAsync(LatencyPlan plan, CancellationToken cancellationToken)
    {
        var clients = plan.Targets.ToDictionary(t => t.Name, t => new HttpClient(new SocketsHttpHandler
        {
            // One kept-alive connection per target, as a client behind a pool would have.
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = new Uri(t.BaseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(plan.RequestTimeoutSeconds),
        });
        try
        {
            // Untimed: JIT, connection, the database's caches.
            foreach (var target in plan.Targets)
            {
                foreach (var endpoint in plan.Endpoints)
                {
                    var warming = Stopwatch.StartNew();
                    for (var i = 0; plan.GoesOn(i, plan.Warmup, plan.MinimumWarmupSeconds, warming.Elapsed.TotalSeconds); i++)
                    {
                        await TimeAsync(clients[target.Name], endpoint, cancellationToken);
                    }
                }
            }

            var measurements = new List<LatencyMeasurement>();
            for (var round = 0; round < plan.Rounds; round++)
            {
                foreach (var (target, position) in TurnOrder(plan.Targets, round).Select((t, i) => (t, i)))
                {
                    foreach (var endpoint in plan.Endpoints)
                    {
                        for (var i = 0; i < plan.TurnWarmup; i++)
                        {
                            await TimeAsync(clients[target.Name], endpoint, cancellationToken);
                        }

                        var latencies = new List<double>(plan.Requests);
                        var failed = 0;
                        string? firstError = null;
                        var turn = Stopwatch.StartNew();
                        for (var i = 0; plan.GoesOn(i, plan.Requests, plan.MinimumTurnSeconds, turn.Elapsed.TotalSeconds); i++)
                        {
                            var (ms, error) = await TimeAsync(clients[target.Name], endpoint, cancellationToken);
                            if (error is null)
                            {
                                latencies.Add(ms);
                            }
                            else
                            {
                                failed++;
                                firstError ??= error;
                            }
                        }

                        measurements.Add(new LatencyMeasurement(round, target.Name, endpoint.Name, position, latencies, failed, firstError));
                    }
                }
            }

            return measurements;
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The targets in the order they take their turns in <paramref name="round"/>: even
    /// rounds as given, odd rounds reversed, so neither side always goes first.</summary>
    public static IReadOnlyList<LatencyTarget> TurnOrder(IReadOnlyList<LatencyTarget> targets, int round) =>
        round % 2 == 0 ? targets : targets.Reverse().ToList();

    private static async Task<(double Ms, string? Error)> TimeAsync(HttpClient client, LatencyEndpoint endpoint, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The whole body is read before the clock stops: a service that streams slowly is slow.
            using var response = await client.GetAsync(endpoint.Path.TrimStart('/'), HttpCompletionOption.ResponseContentRead, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return response.IsSuccessStatusCode
                ? (elapsed, null)
                : (elapsed, $"GET {endpoint.Path} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"GET {endpoint.Path}: {e.Message}");
        }
    }
}
