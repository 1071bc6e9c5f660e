// The grader's fake outside services for the cache-stampede scenario, one process.
//
//   profiles  the Identity team's profile service the Bazaar API calls on every cache miss:
//             GET  /profiles/users/{id}                 a member's self-edited profile (counts as one load)
//             GET  /profiles/_control/stats             loads (total, per user with timestamps), peak concurrency,
//                                                       failures injected so far and the ones still planned
//             POST /profiles/_control/delay?ms=N        every later load waits N ms before answering
//             POST /profiles/_control/fail?user=ID&mode=M[&count=N]
//                                                       the next N loads of that user (all of them when
//                                                       count is left out) fail: mode error answers 503,
//                                                       drop closes the connection without an answer,
//                                                       hang never answers until the caller gives up
//             POST /profiles/_control/heal              delay 0, no failures, hung loads answer 503 now;
//                                                       counts are kept
//             POST /profiles/_control/reset             heal and forget loads, peak and failures
//   GET /health

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<ProfilesFake>();
var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

var profiles = app.MapGroup("/profiles");
profiles.MapGet("/users/{id:long}", async (long id, HttpContext http, ProfilesFake fake) =>
{
    var (delay, failure, healed) = fake.BeginLoad(id);
    try
    {
        if (delay > 0)
        {
            // Not tied to the request's cancellation: a slow upstream stays slow.
            await Task.Delay(delay);
        }

        switch (failure)
        {
            case FailureMode.Error:
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "profile service overloaded (grader's fake)");
            case FailureMode.Drop:
                http.Abort();
                return Results.Empty;
            case FailureMode.Hang:
                // Until the caller gives up (its timeout) or the grader heals the fake; bounded so that
                // a caller without any timeout cannot keep a load open for the rest of the grading.
                using (var released = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, healed))
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(60), released.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                return http.RequestAborted.IsCancellationRequested
                    ? Results.Empty
                    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "profile service hung (grader's fake)");
        }

        return Results.Ok(new
        {
            userId = id,
            headline = $"Member #{id} on Bazaar",
            bio = $"Collector of vintage things, member {id}.",
            avatarUrl = $"https://cdn.example.test/avatars/{id}.jpg",
            badges = id % 3 == 0 ? new[] { "top-seller" } : Array.Empty<string>(),
        });
    }
    finally
    {
        fake.EndLoad();
    }
});
profiles.MapGet("/_control/stats", (ProfilesFake fake) => Results.Ok(fake.Stats()));
profiles.MapPost("/_control/delay", (int ms, ProfilesFake fake) =>
{
    fake.SetDelay(ms);
    return Results.NoContent();
});
profiles.MapPost("/_control/fail", (long user, string mode, int? count, ProfilesFake fake) =>
{
    if (!Enum.TryParse<FailureMode>(mode, ignoreCase: true, out var failure) || failure == FailureMode.None)
    {
        return Results.BadRequest(new { error = $"mode must be error, drop or hang, not '{mode}'" });
    }

    fake.Fail(user, failure, count);
    return Results.NoContent();
});
profiles.MapPost("/_control/heal", (ProfilesFake fake) =>
{
    fake.Heal();
    return Results.NoContent();
});
profiles.MapPost("/_control/reset", (ProfilesFake fake) =>
{
    fake.Reset();
    return Results.NoContent();
});

app.Run();

internal enum FailureMode
{
    None,
    Error,
    Drop,
    Hang,
}

internal sealed class ProfilesFake
{
    private readonly object _gate = new();
    private readonly Dictionary<long, List<long>> _loads = new();
    private readonly Dictionary<long, (FailureMode Mode, int? Left)> _failing = new();
    private readonly Dictionary<FailureMode, int> _failed = new();
    private CancellationTokenSource _healed = new();
    private int _total;
    private int _inFlight;
    private int _peak;
    private int _delayMs;

    /// <summary>Records one load of <paramref name="userId"/>; returns the delay to apply, how it
    /// fails (if it does) and a token cancelled when the grader heals the fake.</summary>
    public (int DelayMs, FailureMode Failure, CancellationToken Healed) BeginLoad(long userId)
    {
        lock (_gate)
        {
            if (!_loads.TryGetValue(userId, out var times))
            {
                _loads[userId] = times = [];
            }

            times.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            _total++;
            _inFlight++;
            _peak = Math.Max(_peak, _inFlight);

            var failure = FailureMode.None;
            if (_failing.TryGetValue(userId, out var plan))
            {
                failure = plan.Mode;
                _failed[failure] = _failed.GetValueOrDefault(failure) + 1;
                if (plan.Left is { } left)
                {
                    if (left <= 1)
                    {
                        _failing.Remove(userId);
                    }
                    else
                    {
                        _failing[userId] = (plan.Mode, left - 1);
                    }
                }
            }

            return (_delayMs, failure, _healed.Token);
        }
    }

    public void EndLoad()
    {
        lock (_gate)
        {
            _inFlight--;
        }
    }

    public void SetDelay(int ms)
    {
        lock (_gate)
        {
            _delayMs = Math.Clamp(ms, 0, 30_000);
        }
    }

    public void Fail(long userId, FailureMode mode, int? count)
    {
        lock (_gate)
        {
            _failing[userId] = (mode, count is { } n ? Math.Max(n, 1) : null);
        }
    }

    /// <summary>Back to a healthy, fast profile service; loads left hanging answer at once.</summary>
    public void Heal()
    {
        CancellationTokenSource healed;
        lock (_gate)
        {
            _delayMs = 0;
            _failing.Clear();
            healed = _healed;
            _healed = new CancellationTokenSource();
        }

        healed.Cancel();
    }

    public void Reset()
    {
        Heal();
        lock (_gate)
        {
            _loads.Clear();
            _failed.Clear();
            _total = 0;
            _peak = _inFlight;
        }
    }

    public object Stats()
    {
        lock (_gate)
        {
            return new
            {
                totalLoads = _total,
                inFlight = _inFlight,
                peakConcurrentLoads = _peak,
                delayMs = _delayMs,
                loads = _loads.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToArray()),
                // Loads that failed on purpose so far, by mode (error, drop, hang).
                failed = _failed.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv => kv.Value),
                // Failures still planned: per user, the mode and how many loads are left (null: until healed).
                failing = _failing.ToDictionary(kv => kv.Key.ToString(), kv => new { mode = kv.Value.Mode.ToString().ToLowerInvariant(), left = kv.Value.Left }),
            };
        }
    }
}
