using System.Net;
using System.Net.Sockets;
using Assessments.Runner.Benchmarks;

namespace Assessments.Runner.Tests.Benchmarks;

/// <summary>The harness against two real HTTP servers on the loopback: one slow, one fast, one
/// path that fails.</summary>
public sealed class LatencyHarnessTests : IAsyncLifetime
{
    private readonly TinyServer _slow = new(TimeSpan.FromMilliseconds(20));
    private readonly TinyServer _fast = new(TimeSpan.Zero);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _slow.DisposeAsync();
        await _fast.DisposeAsync();
    }

    [Fact]
    public async Task SidesTakeTurnsAndSwapOrderEveryRound()
    {
        var plan = new LatencyPlan([new("baseline", _slow.Url), new("candidate", _fast.Url)], [new("hello", "/hello")], Rounds: 4, Warmup: 2, Requests: 5, RequestTimeoutSeconds: 10, TurnWarmup: 1);

        var measurements = await LatencyHarness.RunAsync(plan, TestContext.Current.CancellationToken);

        Assert.Equal(8, measurements.Count);
        Assert.Equal(["baseline", "candidate", "candidate", "baseline", "baseline", "candidate", "candidate", "baseline"], measurements.Select(m => m.Target));
        Assert.All(measurements, m => Assert.Equal(m.Target == "baseline" ? m.Round % 2 : 1 - (m.Round % 2), m.Position));
        Assert.All(measurements, m => Assert.Equal((5, 0), (m.LatenciesMs.Count, m.Failed)));
        Assert.All(measurements.Where(m => m.Target == "baseline").SelectMany(m => m.LatenciesMs), ms => Assert.True(ms >= 19, $"{ms} ms"));
        // Warm-up, then per round one untimed and five timed requests per side, every one answered.
        Assert.Equal((26, 26), (_slow.Requests, _fast.Requests));
    }

    [Fact]
    public async Task ASlowServicesTurnStopsAtTheCapWithThreeRequestsWhileAFastOneMakesAllItsRequests()
    {
        // 300 ms a request: eight requests would take 2.4 s; the cap stops the turn once 0.8 s
        // have passed, with the three requests a median needs. The other side (about 40 ms a
        // request: the loopback's delayed acknowledgements) makes all eight.
        await using var slower = new TinyServer(TimeSpan.FromMilliseconds(300));
        var plan = new LatencyPlan([new("baseline", slower.Url), new("candidate", _fast.Url)], [new("hello", "/hello")], Rounds: 2, Warmup: 8, Requests: 8, RequestTimeoutSeconds: 10,
            MaximumTurnSeconds: 0.8);

        var measurements = await LatencyHarness.RunAsync(plan, TestContext.Current.CancellationToken);

        Assert.All(measurements.Where(m => m.Target == "baseline"), m => Assert.Equal(3, m.LatenciesMs.Count));
        Assert.All(measurements.Where(m => m.Target == "candidate"), m => Assert.Equal(8, m.LatenciesMs.Count));
        // The warm-up is capped the same way: three requests, then two turns of three.
        Assert.Equal(9, slower.Requests);
    }

    [Fact]
    public void ACappedTurnStillRunsItsMinimumTime()
    {
        var plan = new LatencyPlan([], [], 1, 1, 10, 10, MaximumTurnSeconds: 1.5);

        Assert.True(plan.GoesOn(made: 500, requests: 10, minimumSeconds: 3, elapsedSeconds: 2.9));
        Assert.False(plan.GoesOn(made: 500, requests: 10, minimumSeconds: 3, elapsedSeconds: 3.1));
        Assert.True(plan.GoesOn(made: 2, requests: 10, minimumSeconds: 1, elapsedSeconds: 5));
        Assert.False(plan.GoesOn(made: 3, requests: 10, minimumSeconds: 1, elapsedSeconds: 1.6));
        Assert.True(plan.GoesOn(made: 3, requests: 10, minimumSeconds: 1, elapsedSeconds: 1.4));
        Assert.True((plan with { MaximumTurnSeconds = 0 }).GoesOn(made: 9, requests: 10, minimumSeconds: 1, elapsedSeconds: 60));
    }

    [Fact]
    public async Task FailedRequestsAreCountedAndLeftOutOfTheLatencies()
    {
        var plan = new LatencyPlan([new("candidate", _fast.Url)], [new("broken", "/fail?code=500")], Rounds: 3, Warmup: 0, Requests: 4, RequestTimeoutSeconds: 10);

        var measurements = await LatencyHarness.RunAsync(plan, TestContext.Current.CancellationToken);

        Assert.All(measurements, m =>
        {
            Assert.Empty(m.LatenciesMs);
            Assert.Equal(4, m.Failed);
            Assert.Equal("GET /fail?code=500 answered 500", m.FirstError);
        });
    }

    [Fact]
    public async Task ARefusedConnectionIsAFailureNotACrash()
    {
        var port = FreePort();
        var plan = new LatencyPlan([new("candidate", $"http://127.0.0.1:{port}")], [new("gone", "/hello")], Rounds: 3, Warmup: 1, Requests: 2, RequestTimeoutSeconds: 5);

        var measurements = await LatencyHarness.RunAsync(plan, TestContext.Current.CancellationToken);

        Assert.All(measurements, m => Assert.Equal(2, m.Failed));
        Assert.StartsWith("GET /hello: ", measurements[0].FirstError);
    }

    [Fact]
    public async Task TheProgramRefusesABadPlanWithExitTwo()
    {
        var folder = Directory.CreateTempSubdirectory("harness-");
        var plan = Path.Combine(folder.FullName, "plan.json");
        await File.WriteAllTextAsync(plan, """{"targets": [], "endpoints": [], "rounds": 0}""", TestContext.Current.CancellationToken);
        Assert.Equal(2, await LatencyHarness.MainAsync([plan, Path.Combine(folder.FullName, "result.json")]));
        Assert.False(File.Exists(Path.Combine(folder.FullName, "result.json")));
        folder.Delete(recursive: true);
    }

    [Fact]
    public void TheShippedProjectIsTheCompiledSource()
    {
        var source = LatencyHarnessProject.Files.Single(f => f.Path == "LatencyHarness.cs");
        var onDisk = File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "src/Assessments.Runner/Benchmarks/LatencyHarness.cs"));
        Assert.Equal(onDisk, source.Content);
        Assert.Contains(LatencyHarnessProject.Files, f => f.Path == LatencyHarnessProject.ProjectFile);
        Assert.Matches("^[0-9a-f]{64}$", LatencyHarnessProject.SourceHash);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An HttpListener answering <c>/hello</c> after a delay and <c>/fail?code=N</c> with N.</summary>
    private sealed class TinyServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private int _requests;

        public TinyServer(TimeSpan delay)
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    // Stop() between the IsListening check and the call lands here as
                    // InvalidOperationException ("call Start() first"): that is the loop's end too.
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay);
                    }

                    var code = context.Request.Url!.AbsolutePath == "/fail" ? int.Parse(context.Request.QueryString["code"]!, System.Globalization.CultureInfo.InvariantCulture) : 200;
                    context.Response.StatusCode = code;
                    await context.Response.OutputStream.WriteAsync("hello"u8.ToArray());
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
