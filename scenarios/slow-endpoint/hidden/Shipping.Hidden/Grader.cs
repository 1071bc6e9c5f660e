using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

// One collection: tests run one after another (they reset pg_stat_statements).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace Shipping.Hidden;

/// <summary>
/// Everything the hidden tests may touch: the service over HTTP (ASSESS_SERVICE_URL) and its
/// database as the grader's role (ASSESS_GRADER_DATABASE: reads every table and the statement
/// statistics, may reset them). The role of the service (ASSESS_SERVICE_ROLE) filters
/// pg_stat_statements to the statements the service issued.
/// </summary>
public static class Grader
{
    /// <summary>The dashboard's main call: one carrier tab, one status, newest first.</summary>
    public const string Status = "in_transit";
    public const string Carrier = "DHL";
    public const int PageSize = 50;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"grader setup: environment variable {name} is not set");

    public static readonly string Role = Env("ASSESS_SERVICE_ROLE");

    public static readonly HttpClient Service = new()
    {
        BaseAddress = new Uri(Env("ASSESS_SERVICE_URL").TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var conn = new NpgsqlConnection(Env("ASSESS_GRADER_DATABASE"));
        await conn.OpenAsync();
        return conn;
    }

    public record Item(long Id, string TrackingNumber, string Carrier, string Status, DateTime CreatedAt);

    public record Page(List<Item> Items, int PageSize, bool HasMore, string? NextCursor, bool HasNextCursorField);

    public static string SearchUrl(string? cursor = null, string? from = null, int pageSize = PageSize, string status = Status, string sort = "created_desc")
    {
        var url = $"api/shipments/search?status={status}&carrier={Carrier}&sort={sort}&pageSize={pageSize}";
        if (from is not null) url += $"&from={from}";
        if (cursor is not null) url += $"&cursor={Uri.EscapeDataString(cursor)}";
        return url;
    }

    /// <summary>GET a search page; a non-2xx answer fails the test with the body.</summary>
    public static async Task<Page> SearchAsync(string url, string what)
    {
        using var response = await Service.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"{what}: GET /{url} answered {(int)response.StatusCode}: {Truncate(body, 300)}");

        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var items = root.GetProperty("items").Deserialize<List<Item>>(Json)!;
        var hasCursorField = root.TryGetProperty("nextCursor", out var next);
        return new Page(
            items,
            root.TryGetProperty("pageSize", out var ps) ? ps.GetInt32() : 0,
            root.TryGetProperty("hasMore", out var hm) && hm.GetBoolean(),
            hasCursorField && next.ValueKind == JsonValueKind.String ? next.GetString() : null,
            hasCursorField);
    }

    public static async Task<JsonElement> CreateShipmentAsync(string carrier, string status, string what)
    {
        using var response = await Service.PostAsJsonAsync("api/shipments", new
        {
            merchantId = 4242,
            merchantReference = "PO-GRADER",
            carrier,
            serviceLevel = "express",
            status,
            originCountry = "NL",
            destinationCountry = "DE",
            destinationPostcode = "10115",
            weightGrams = 1200,
        });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"{what}: POST /api/shipments answered {(int)response.StatusCode}: {Truncate(body, 300)}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    // ---- pg_stat_statements ----

    public static async Task ResetStatementsAsync(NpgsqlConnection db)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT pg_stat_statements_reset((SELECT oid FROM pg_roles WHERE rolname = @role), 0, 0)", db);
        cmd.Parameters.AddWithValue("role", Role);
        await cmd.ExecuteNonQueryAsync();
    }

    public record StatementStats(long QueryId, string Query, long Calls, long Buffers);

    /// <summary>The service's statements since the last reset. DISCARD ALL is Npgsql resetting a
    /// pooled connection (sent with the next statement), not a statement of the service's own.</summary>
    public static async Task<List<StatementStats>> StatementsAsync(NpgsqlConnection db)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT s.queryid, s.query, s.calls, s.shared_blks_hit + s.shared_blks_read
            FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
            WHERE r.rolname = @role AND s.query <> 'DISCARD ALL'
            ORDER BY s.shared_blks_hit + s.shared_blks_read DESC
            """, db);
        cmd.Parameters.AddWithValue("role", Role);
        var result = new List<StatementStats>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(new StatementStats(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        return result;
    }

    /// <summary>Shared buffers (hit + read) all of the service's statements used for one request.</summary>
    public static async Task<long> BuffersForOneRequestAsync(NpgsqlConnection db, string url, string what)
    {
        await ResetStatementsAsync(db);
        await SearchAsync(url, what);
        return (await StatementsAsync(db)).Sum(s => s.Buffers);
    }

    /// <summary>Median of several warm, identical requests.</summary>
    public static async Task<(long Median, List<long> Samples)> MedianBuffersAsync(NpgsqlConnection db, string url, string what, int samples)
    {
        var values = new List<long>();
        for (var i = 0; i < samples; i++)
            values.Add(await BuffersForOneRequestAsync(db, url, what));
        var sorted = values.Order().ToList();
        return (sorted[sorted.Count / 2], values);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static void RecordMetric(string key, double value)
    {
        var file = Environment.GetEnvironmentVariable("ASSESS_METRICS_FILE");
        if (string.IsNullOrEmpty(file)) return;
        File.AppendAllText(file, JsonSerializer.Serialize(new { key, value }) + "\n");
    }

    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
