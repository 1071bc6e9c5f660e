// The grader's fake outside services for the cache-stampede scenario, one process.
//
//   profiles  the Identity team's profile service the Bazaar API calls on every cache miss:
//             GET  /profiles/users/{id}                 a member's self-edited profile (counts as one load)
//             GET  /profiles/_control/stats             loads (total, per user with timestamps), peak concurrency
//             POST /profiles/_control/delay?ms=N        every later load waits N ms before answering
//             POST /profiles/_control/reset             forget loads, peak and delay
//   GET /health

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<ProfilesFake>();
var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

var profiles = app.MapGroup("/profiles");
profiles.MapGet("/users/{id:long}", async (long id, ProfilesFake fake) =>
{
    var delay = fake.BeginLoad(id);
    try
    {
        if (delay > 0)
        {
            // Not tied to the request's cancellation: a slow upstream stays slow.
            await Task.Delay(delay);
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
profiles.MapPost("/_control/reset", (ProfilesFake fake) =>
{
    fake.Reset();
    return Results.NoContent();
});

app.Run();

internal sealed class ProfilesFake
{
    private readonly object _gate = new();
    private readonly Dictionary<long, List<long>> _loads = new();
    private int _total;
    private int _inFlight;
    private int _peak;
    private int _delayMs;

    /// <summary>Records one load of <paramref name="userId"/> and returns the delay to apply.</summary>
    public int BeginLoad(long userId)
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
            return _delayMs;
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

    public void Reset()
    {
        lock (_gate)
        {
            _loads.Clear();
            _total = 0;
            _peak = _inFlight;
            _delayMs = 0;
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
            };
        }
    }
}
