using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

// One collection: tests run one after another (the email fake's failure injection is global).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace Storefront.Hidden;

/// <summary>
/// Everything the hidden tests may touch: the service over HTTP (ASSESS_SERVICE_URL), its database
/// as the grader's read-only role (ASSESS_GRADER_DATABASE), the email fake (ASSESS_FAKE_EMAIL_URL).
/// </summary>
public static class Grader
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private static string Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"grader setup: environment variable {name} is not set");

    public static string GraderDatabase => Env("ASSESS_GRADER_DATABASE");

    public static readonly HttpClient Service = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = new Uri(Env("ASSESS_SERVICE_URL").TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>
    /// Every running instance of the service (ASSESS_SERVICE_URLS, the first one is <see cref="Service"/>);
    /// just the one outside a phase with several instances.
    /// </summary>
    public static readonly IReadOnlyList<HttpClient> Instances =
        (Environment.GetEnvironmentVariable("ASSESS_SERVICE_URLS") is { Length: > 0 } urls
            ? urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [Env("ASSESS_SERVICE_URL")])
        .Select(url => url.TrimEnd('/') == Service.BaseAddress!.ToString().TrimEnd('/')
            ? Service
            : new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
            {
                BaseAddress = new Uri(url.TrimEnd('/') + "/"),
                Timeout = TimeSpan.FromSeconds(15),
            })
        .ToList();

    public static readonly HttpClient EmailFake = new()
    {
        BaseAddress = new Uri(Env("ASSESS_FAKE_EMAIL_URL").TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// Seeded orders the hidden tests use, one per slot: the seed leaves the 500 most recent orders
    /// (ORD-049501..ORD-050000) awaiting payment; public tests take them from the oldest end.
    /// </summary>
    public static string OrderForSlot(int slot) => $"ORD-{50_000 - slot:D6}";

    public record OrderInfo(string Number, string Status, long TotalCents, string Currency);

    public static async Task<OrderInfo> GetOrderAsync(string number)
    {
        using var response = await Service.GetAsync($"orders/{number}");
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"grader setup: GET /orders/{number} answered {(int)response.StatusCode}");
        var order = await response.Content.ReadFromJsonAsync<OrderInfo>(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        return order ?? throw new InvalidOperationException($"grader setup: GET /orders/{number} returned no body");
    }

    /// <summary>The order of a slot, checked to be still awaiting payment (a freshly seeded database).</summary>
    public static async Task<OrderInfo> FreshOrderAsync(int slot)
    {
        var order = await GetOrderAsync(OrderForSlot(slot));
        if (order.Status != "AwaitingPayment")
            throw new InvalidOperationException(
                $"grader setup: order {order.Number} is {order.Status}, not AwaitingPayment; hidden tests need a freshly seeded database");
        return order;
    }

    public static object PaymentSucceeded(string eventId, OrderInfo order) => new
    {
        id = eventId,
        type = "payment.succeeded",
        createdAt = DateTimeOffset.UtcNow,
        data = new { orderNumber = order.Number, paymentId = "pay_" + eventId, amountCents = order.TotalCents, currency = order.Currency },
    };

    public record Delivery(int Status, TimeSpan Elapsed, string? Error)
    {
        public bool Ok => Status is >= 200 and < 300;
        public override string ToString() => Error ?? Status.ToString();
    }

    /// <summary>POSTs the event the way the provider does; never throws (a timeout is status 0 with an error).</summary>
    public static Task<Delivery> DeliverAsync(object payload, HttpClient? to = null) =>
        PostAsync(to ?? Service, JsonContent.Create(payload));

    /// <summary>POSTs exactly these bytes as the event (a provider re-serialises events as it likes).</summary>
    public static Task<Delivery> DeliverRawAsync(string json, HttpClient? to = null) =>
        PostAsync(to ?? Service, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<Delivery> PostAsync(HttpClient to, HttpContent content)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            using var response = await to.PostAsync("webhooks/payments", content);
            return new Delivery((int)response.StatusCode, sw.Elapsed, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Delivery(0, sw.Elapsed, $"no answer after {sw.ElapsedMilliseconds} ms ({e.GetType().Name})");
        }
        finally
        {
            content.Dispose();
        }
    }

    public static async Task<int> EmailCountAsync(string orderNumber)
    {
        using var doc = JsonDocument.Parse(await EmailFake.GetStringAsync($"_control/messages?subjectContains={Uri.EscapeDataString(orderNumber)}"));
        return doc.RootElement.GetProperty("count").GetInt32();
    }

    /// <summary>Waits until at least one email for the order arrived (or the timeout), then lets late duplicates land.</summary>
    public static async Task<int> SettledEmailCountAsync(string orderNumber, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (await EmailCountAsync(orderNumber) == 0 && DateTime.UtcNow < until)
            await Task.Delay(200);
        if (await EmailCountAsync(orderNumber) == 0) return 0;
        await Task.Delay(Settle);
        return await EmailCountAsync(orderNumber);
    }

    /// <summary>
    /// Waits until every order has at least one email (or the timeout), lets late duplicates land,
    /// then counts: one settle for many orders instead of one each.
    /// </summary>
    public static async Task<Dictionary<string, int>> SettledEmailCountsAsync(IReadOnlyCollection<string> orderNumbers, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        var waiting = orderNumbers.ToList();
        while (waiting.Count > 0 && DateTime.UtcNow < until)
        {
            var stillWaiting = new List<string>();
            foreach (var number in waiting)
                if (await EmailCountAsync(number) == 0) stillWaiting.Add(number);
            waiting = stillWaiting;
            if (waiting.Count > 0) await Task.Delay(200);
        }
        await Task.Delay(Settle);
        var counts = new Dictionary<string, int>();
        foreach (var number in orderNumbers)
            counts[number] = await EmailCountAsync(number);
        return counts;
    }

    public static async Task FailEmailsAsync(string? match, int status = 503, int delayMs = 0, double? seconds = null)
    {
        using var response = await EmailFake.PostAsJsonAsync("_control/failures", new { match, status, delayMs, seconds });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The email provider takes delayMs to accept each matching message (cleared like a failure).</summary>
    public static Task SlowEmailsAsync(string match, int delayMs, double? seconds = null) =>
        FailEmailsAsync(match, status: 202, delayMs: delayMs, seconds: seconds);

    public static async Task ClearEmailFailuresAsync(string? match = null)
    {
        var query = match is null ? "" : $"?match={Uri.EscapeDataString(match)}";
        using var response = await EmailFake.DeleteAsync($"_control/failures{query}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Rows the warehouse would pick up for the order (ground truth, read as the grader).</summary>
    public static async Task<long> FulfilmentCountAsync(string orderNumber)
    {
        await using var conn = new NpgsqlConnection(GraderDatabase);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM fulfilment_requests f JOIN orders o ON o.id = f.order_id WHERE o.number = @number", conn);
        cmd.Parameters.AddWithValue("number", orderNumber);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public static void RecordMetric(string key, double value)
    {
        var file = Environment.GetEnvironmentVariable("ASSESS_METRICS_FILE");
        if (string.IsNullOrEmpty(file)) return;
        File.AppendAllText(file, JsonSerializer.Serialize(new { key, value }) + "\n");
    }

    public static void Check(bool condition, string message)
    {
        if (!condition) Assert.Fail(message);
    }
}
