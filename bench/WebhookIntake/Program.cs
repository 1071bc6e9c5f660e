using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Web.Features.GitHub;
using Npgsql;

// GitHub's push deliveries into the web role on Kestrel, over loopback, from an open-loop .NET
// client: deliveries are due at a fixed rate whether or not earlier ones were answered, and each
// one's latency counts from when it was due, so a stall shows as latency instead of as a slower
// client. A share of them are redeliveries (the same delivery id and body again, as GitHub's
// "Redeliver" sends). Afterwards every delivery must be stored once and every push's grading
// queued with its Hangfire job. Usage:
//   WebhookIntake <server connection string> [deliveries per second] [seconds] [redelivered share] [repositories]
var server = args.Length > 0 ? args[0] : throw new ArgumentException("Give the PostgreSQL server's connection string.");
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
var redelivered = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.2;
var repositoryCount = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1000;
const int WarmUp = 1000;

var connectionString = await BenchDatabase.CreateMigratedAsync(server, "bench_webhook_intake");

// The seeding the end-to-end tests use: the scaffold, organisation acme and started GitHub
// assessments whose webhook secrets the web role can read.
var repositories = await GitHubAssessments.SeedAsync(connectionString, Directory.CreateTempSubdirectory("bench-webhooks-"), repositoryCount, CancellationToken.None);

var (app, address) = await BenchWeb.StartAsync(connectionString);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(30) };

// Every request built before the clock starts: the client's own work while measuring is sending.
var warmUp = Deliveries(WarmUp, 0);
var measured = Deliveries(rate * seconds, redelivered);
Console.WriteLine($"{repositories.Count} GitHub repositories; warm-up {WarmUp} deliveries at {rate / 4}/s, then {measured.Count:N0} at {rate}/s for {seconds} s, {redelivered:P0} of them redeliveries");
await RunAsync(warmUp, rate / 4);
await ScalarAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
await ScalarAsync("SELECT count(*) FROM (SELECT pg_stat_statements_reset()) r");
var cpuBefore = CpuTicks();
var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
var (latencies, statuses, last) = await RunAsync(measured, rate);

var cpuAfter = CpuTicks();
var ownAfter = Process.GetCurrentProcess().TotalProcessorTime;
latencies.Sort();
var distinct = measured.DistinctBy(d => d.Id).ToList();
Console.WriteLine();
Console.WriteLine($"{"deliveries",10} {"offered/s",10} {"answered/s",11} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}  answers");
Console.WriteLine($"{measured.Count,10:N0} {rate,10:N0} {measured.Count / last.TotalSeconds,11:N0} {Quantile(latencies, 0.5),8:0.0} {Quantile(latencies, 0.95),8:0.0} {Quantile(latencies, 0.99),8:0.0} {latencies[^1],8:0.0}  {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))}");

// Where the CPU went while the deliveries were answered: this process (client and server) and
// the rest of the machine (PostgreSQL, mostly), in CPU-milliseconds per delivery.
var machineMs = (cpuAfter - cpuBefore) * 10.0;
var ownMs = (ownAfter - ownBefore).TotalMilliseconds;
Console.WriteLine($"CPU per delivery: {machineMs / measured.Count:0.00} ms in all, {ownMs / measured.Count:0.00} ms in this process (client and web role), {(machineMs - ownMs) / measured.Count:0.00} ms elsewhere (PostgreSQL)");
Console.WriteLine("the statements that took PostgreSQL longest over the measured run:");
await using (var connection = new NpgsqlConnection(connectionString))
{
    await connection.OpenAsync();
    await using var reader = await new NpgsqlCommand(
        "SELECT calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8",
        connection).ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        Console.WriteLine($"  {reader.GetInt64(0),8:N0} calls {reader.GetDecimal(1),8:N0} ms total {reader.GetDecimal(2),8:0.000} ms each  {reader.GetString(3)}");
    }
}

// Stored once: one delivery row per delivery id, one submission and one queued grading per push,
// each grading given its Hangfire job by the web process's dispatcher.
var expected = WarmUp + distinct.Count;
var waited = Stopwatch.StartNew();
long jobs;
while ((jobs = await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NOT NULL")) < Math.Min(expected, await ScalarAsync("SELECT count(*) FROM grading_runs")) && waited.Elapsed < TimeSpan.FromMinutes(5))
{
    await Task.Delay(500);
}

var rows = new
{
    Deliveries = await ScalarAsync("SELECT count(*) FROM webhook_deliveries"),
    DistinctDeliveries = await ScalarAsync("SELECT count(DISTINCT delivery_id) FROM webhook_deliveries"),
    Submissions = await ScalarAsync("SELECT count(*) FROM submissions"),
    Gradings = await ScalarAsync("SELECT count(*) FROM grading_runs"),
    Jobs = jobs,
};
Console.WriteLine($"stored: {rows.Deliveries:N0} deliveries ({rows.DistinctDeliveries:N0} distinct), {rows.Submissions:N0} submissions, {rows.Gradings:N0} gradings, {rows.Jobs:N0} with their job {waited.Elapsed.TotalSeconds:0.0} s after the last answer; expected {expected:N0} of each");
await app.StopAsync();
var stored = rows.Deliveries == expected && rows.DistinctDeliveries == expected && rows.Submissions == expected && rows.Gradings == expected && rows.Jobs == expected;
var failed = statuses.Where(s => s.Key is not ("recorded" or "duplicate")).Sum(s => s.Value);
Console.WriteLine(stored && failed == 0 ? "every delivery answered 2xx and stored once" : $"NOT every delivery stored once ({failed} answered otherwise)");
return stored && failed == 0 ? 0 : 1;

// Sends each delivery when it is due; returns each one's latency from its due time, the answers
// by status, and when the last answer came.
async Task<(List<double> Latencies, ConcurrentDictionary<string, int> Statuses, TimeSpan Last)> RunAsync(List<Delivery> deliveries, int perSecond)
{
    var latencies = new double[deliveries.Count];
    var statuses = new ConcurrentDictionary<string, int>();
    var clock = Stopwatch.StartNew();
    var lastAnswer = 0L;
    var inFlight = new List<Task>(deliveries.Count);
    for (var i = 0; i < deliveries.Count; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / perSecond);
        if (due > clock.Elapsed + TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(due - clock.Elapsed);
        }

        var index = i;
        inFlight.Add(Task.Run(async () =>
        {
            var delivery = deliveries[index];
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{address}/webhooks/github/{delivery.Assessment}") { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", delivery.Id);
            request.Headers.Add("X-Hub-Signature-256", delivery.Signature);
            string status;
            try
            {
                using var response = await http.SendAsync(request);
                status = response.StatusCode == HttpStatusCode.OK
                    ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!
                    : $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                status = e.GetType().Name;
            }

            var answeredAt = clock.Elapsed;
            latencies[index] = (answeredAt - due).TotalMilliseconds;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            InterlockedMax(ref lastAnswer, answeredAt.Ticks);
        }));
    }

    await Task.WhenAll(inFlight);
    return ([.. latencies], statuses, TimeSpan.FromTicks(lastAnswer));
}

// Deliveries of new pushes spread over the repositories; a share of them are sent again later
// under the same delivery id with the same body.
List<Delivery> Deliveries(int count, double share)
{
    var random = new Random(count);
    var list = new List<Delivery>(count);
    for (var i = 0; i < count; i++)
    {
        if (list.Count > 0 && random.NextDouble() < share)
        {
            list.Add(list[random.Next(list.Count)]);
            continue;
        }

        var repository = repositories[i % repositories.Count];
        var body = Encoding.UTF8.GetBytes(GitHubAssessments.PushBody(repository, GitHubAssessments.Sha()));
        list.Add(new Delivery(repository.Id, Guid.NewGuid().ToString(), body, WebhookSignature.Compute(repository.Secret, body)));
    }

    return list;
}

async Task<long> ScalarAsync(string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    return Convert.ToInt64(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

// Busy jiffies (USER_HZ, 100 a second) of all cores, from /proc/stat.
static long CpuTicks()
{
    var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
    return fields.Sum() - fields[3] - fields[4];
}

static double Quantile(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1)];

static void InterlockedMax(ref long target, long value)
{
    long seen;
    while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
    {
    }
}

internal sealed record Delivery(Guid Assessment, string Id, byte[] Body, string Signature);
