using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// The reviewer's pages at scale: 10,000 assessments and 100,000 gradings with their rows, then
// statements per request and median/p95 latency of the list (first page, a filtered page, a deep
// page) and of a report page, through the real web role on Kestrel. Usage:
//   ReviewerPages <server connection string> [requests per page]
var server = args.Length > 0 ? args[0] : throw new ArgumentException("Give the PostgreSQL server's connection string.");
var requests = args.Length > 1 ? int.Parse(args[1]) : 200;
const int AssessmentCount = 10_000;
const int PushesPerAssessment = 10;

var connectionString = await BenchDatabase.CreateMigratedAsync(server, "bench_reviewer_pages");

var seeding = Stopwatch.StartNew();
await using (var connection = new NpgsqlConnection(connectionString))
{
    await connection.OpenAsync();
    var seed = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "seed.sql"));
    await using var command = new NpgsqlCommand(seed, connection) { CommandTimeout = 3600 };
    command.Parameters.AddWithValue("assessments", AssessmentCount);
    command.Parameters.AddWithValue("pushes", PushesPerAssessment);
    command.Parameters.Add(new NpgsqlParameter("manifest", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = await ManifestAsync() });
    command.Parameters.Add(new NpgsqlParameter("report", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = Report().ToJson() });
    await command.ExecuteNonQueryAsync();
    // Raw inserts pass no interceptor: the listings are computed as the migration backfills them.
    await using var listings = new NpgsqlCommand(AssessmentListings.Refresh("true"), connection) { CommandTimeout = 3600 };
    await listings.ExecuteNonQueryAsync();
    await new NpgsqlCommand("ANALYZE", connection).ExecuteNonQueryAsync();
}

Console.WriteLine($"seeded {AssessmentCount:N0} assessments, {AssessmentCount * PushesPerAssessment:N0} gradings with tests, metrics and findings in {seeding.Elapsed.TotalSeconds:0} s");

var (app, address) = await BenchWeb.StartAsync(connectionString);

const string Email = "reviewer@bench.example";
const string Password = "correct-horse-battery";
await using (var scope = app.Services.CreateAsyncScope())
{
    var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
    var user = new User { UserName = Email, Email = Email, DisplayName = "Bench Reviewer", EmailConfirmed = true };
    var created = await users.CreateAsync(user, Password);
    if (!created.Succeeded)
    {
        throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
    var organisation = await db.Organisations.SingleAsync();
    db.Memberships.Add(new Membership { OrganisationId = organisation.Id, UserId = user.Id, Role = OrganisationRole.Admin });
    await db.SaveChangesAsync();
}

using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
var form = await client.GetStringAsync("/account/login");
var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = Email, ["Password"] = Password, ["__RequestVerificationToken"] = token }));
if (signIn.StatusCode != HttpStatusCode.Redirect)
{
    throw new InvalidOperationException($"Sign-in answered {signIn.StatusCode}.");
}

Guid reportId;
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
    reportId = await db.Assessments.OrderBy(a => a.Id).Skip(AssessmentCount / 2).Select(a => a.Id).FirstAsync();
}

using var counter = new StatementCounter();
var pages = new (string Name, string Url)[]
{
    ("list, first page", "/assessments"),
    ("list, filtered (scenario, verdict, dates)", $"/assessments?scenario=slow-endpoint&verdict=TestsFailed&from={DateTime.UtcNow.AddDays(-20):yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}"),
    ("list, deep page sorted by metric", "/assessments?sort=metric&desc=false&p=150"),
    ("report page", $"/assessments/{reportId}"),
};

Console.WriteLine();
Console.WriteLine($"{"page",-44} {"statements",10} {"median ms",10} {"p95 ms",8} {"min ms",8} {"max ms",8} {"bytes",9}");
foreach (var (name, url) in pages)
{
    for (var i = 0; i < 10; i++)
    {
        await counter.GetAsync(client, url);
    }

    var times = new List<double>();
    var statements = new HashSet<int>();
    long bytes = 0;
    for (var i = 0; i < requests; i++)
    {
        var started = Stopwatch.GetTimestamp();
        var (response, count, length) = await counter.GetAsync(client, url);
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{url} answered {response}.");
        }

        statements.Add(count);
        bytes = length;
    }

    times.Sort();
    Console.WriteLine($"{name,-44} {string.Join("/", statements.Order()),10} {Quantile(times, 0.5),10:0.0} {Quantile(times, 0.95),8:0.0} {times[0],8:0.0} {times[^1],8:0.0} {bytes,9:N0}");
}

await app.StopAsync();

// The scaffold's manifest, as the importer stores a version's.
static async Task<string> ManifestAsync()
{
    var folder = Directory.CreateTempSubdirectory("bench-scenario-");
    var path = Path.Combine(folder.FullName, "greeting");
    await Assessments.Scenarios.ScenarioScaffold.WriteAsync("greeting", path, CancellationToken.None);
    var package = Assessments.Scenarios.ScenarioPackage.Load(path).GetPackageOrThrow(path);
    folder.Delete(recursive: true);
    return System.Text.Json.JsonSerializer.Serialize(package.Manifest, System.Text.Json.JsonSerializerOptions.Web);
}

// A report the size of a real one: eight tests, two metrics, a finding, three changes, stages.
static GradingReport Report() => new()
{
    Status = ReportStatus.Fail,
    Verdict = Verdict.TestsFailed,
    Stage = "hidden-tests:main",
    Message = "1 hidden test failed",
    Scenario = new ScenarioRef("n-plus-one", "1.0", new string('c', 64)),
    Subject = new SubjectRef(SubjectKind.Candidate, "submission", new string('a', 40)),
    Tests = [.. Enumerable.Range(0, 8).Select(i => new TestOutcome
    {
        Name = i == 0 ? "Shop.Tests.OrdersTests.Counts" : $"HiddenTest{i}",
        Visibility = i == 0 ? TestVisibility.Public : TestVisibility.Hidden,
        Phase = i == 0 ? null : "main",
        Status = i == 3 ? TestStatus.Fail : TestStatus.Pass,
        Message = i == 3 ? "took 10 statements" : null,
        Output = i == 3 ? string.Join('\n', Enumerable.Range(0, 40).Select(n => $"SELECT * FROM order_lines WHERE order_id = {n}")) : null,
        DurationMs = 10 + i,
    })],
    Metrics =
    [
        new MetricOutcome
        {
            Key = "statements_per_request", Title = "Statements per request", Unit = "statements", Direction = MetricDirection.Lower,
            Primary = true, Kind = MetricKind.Counted, Candidate = 1, Baseline = 10, Ratio = 0.1, Improvement = 10,
            Comparison = MetricComparison.Better, BaselineSource = BaselineSource.Cached, Samples = [1], BaselineSamples = [10],
        },
        new MetricOutcome
        {
            Key = "p50_latency", Title = "Median latency", Unit = "ms", Direction = MetricDirection.Lower, Kind = MetricKind.Timed,
            Candidate = 11, Baseline = 12, Ratio = 0.92, Improvement = 1.09, Comparison = MetricComparison.NoMeasurableDifference,
            BaselineSource = BaselineSource.Measured, Spread = 3, BaselineSpread = 4,
            Samples = [9, 10, 11, 12, 14, 9, 10, 11, 12, 14], BaselineSamples = [10, 11, 12, 13, 16, 10, 11, 12, 13, 16],
        },
    ],
    Findings = [new FindingOutcome("new-public-member", FindingSeverity.Warning, "src/Shop/Orders.cs", 62, "Orders.Total() is new and public.")],
    Changes =
    [
        new FileChangeOutcome("NOTES.md", ChangeKind.Added, false, false, 3, 0, []),
        new FileChangeOutcome("src/Shop/Orders.cs", ChangeKind.Modified, false, false, 2, 1, []),
        new FileChangeOutcome("src/Shop/OrdersEndpoint.cs", ChangeKind.Modified, false, false, 1, 1, []),
    ],
    Stages = [new StageOutcome("build", Side.Candidate, StageStatus.Ok, 12000, 0), new StageOutcome("hidden-tests:main", Side.Grader, StageStatus.Failed, 30000, 1)],
    Environment = new RunEnvironment("docker", "sha256:" + new string('d', 64), new Dictionary<string, string> { ["candidate.network"] = "lo" }),
    StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
    FinishedAt = DateTimeOffset.UtcNow,
};

static double Quantile(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];

/// <summary>Counts EF Core's SQL statements per request by the request's trace id, which ASP.NET
/// Core adopts from the <c>traceparent</c> header: background work of the app is not counted.</summary>
internal sealed class StatementCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<ActivityTraceId, int> _counts = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    };

    public StatementCounter()
    {
        ActivitySource.AddActivityListener(_listener);
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public async Task<(HttpStatusCode Status, int Statements, long Bytes)> GetAsync(HttpClient client, string url)
    {
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, _counts.GetValueOrDefault(trace), body.LongLength);
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "Microsoft.EntityFrameworkCore")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted" && Activity.Current is { } activity)
        {
            _counts.AddOrUpdate(activity.TraceId, 1, (_, n) => n + 1);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }

        _listener.Dispose();
    }
}
