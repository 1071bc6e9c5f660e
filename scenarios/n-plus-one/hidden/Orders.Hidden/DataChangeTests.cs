using System.Text.Json;
using Npgsql;

namespace Orders.Hidden;

/// <summary>
/// Guards: the pages show the data as it is now. Back office, portal, ERP import and several replicas write
/// to these tables, so a copy of the data taken at start-up, or one the service refreshes only when it writes
/// through its own API, is not a fix. Pass on the template.
/// </summary>
[Collection(GraderCollection.Name)]
public sealed class DataChangeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Phase", "main")]
    public async Task ChangesMadeThroughTheApiShowUpInTheNextResponse()
    {
        // Read the pages first, so anything that caches them has them cached.
        var before = await Api.GetPageAsync("/orders?status=open&pageSize=10", Ct);
        var customerId = before.GetProperty("items")[0].GetProperty("customer").GetProperty("id").GetInt32();
        await Api.GetPageAsync($"/customers/{customerId}/orders?pageSize=10", Ct);

        var newName = $"Grader Renamed {Guid.NewGuid():N}"[..40];
        await Api.SendAsync(HttpMethod.Patch, $"/customers/{customerId}", new { name = newName }, Ct);
        var (created, location) = await Api.SendAsync(HttpMethod.Post, "/orders", new
        {
            customerId,
            lines = new[] { new { productId = 17, quantity = 4 }, new { productId = 230, quantity = 2 } },
        }, Ct);
        var newOrderId = NewOrderId(created, location);

        var problems = new List<string>();

        var open = await Api.GetPageAsync("/orders?status=open&pageSize=10", Ct);
        CheckNewOrderFirst("GET /orders?status=open&pageSize=10", open, newOrderId, customerId, newName, problems);

        var history = await Api.GetPageAsync($"/customers/{customerId}/orders?pageSize=10", Ct);
        CheckNewOrderFirst($"GET /customers/{customerId}/orders?pageSize=10", history, newOrderId, customerId, newName, problems);

        // The list must agree with the database after the change, too.
        var expected = await ExpectedOrders.PageAsync(null, customerId, 1, 10, Ct);
        problems.AddRange(ExpectedOrders.Differences(expected, history, 5)
            .Select(d => $"GET /customers/{customerId}/orders?pageSize=10 vs database: {d}"));

        Assert.True(problems.Count == 0,
            "data changed through the API did not show up in the next response " +
            $"(renamed customer {customerId}, placed order {newOrderId}):\n  " + string.Join("\n  ", problems));
    }

    /// <summary>A regular customer (not the key account the row measure uses) the ERP import writes an order for.</summary>
    private const int ErpCustomer = 42;

    /// <summary>Far above the seed's ids and explicit, so the identity sequences the service uses stay where they are.</summary>
    private const int ErpOrderId = 1_900_000_001;
    private const string ErpOrderNumber = "SO-ERP-900001";
    private const int ErpLineId1 = 1_900_000_001;
    private const int ErpLineId2 = 1_900_000_002;

    /// <summary>
    /// Writes straight to the tables as the grader, as the ERP import and the other replicas do, and reads through the
    /// service: a new order and a renamed customer, then a cancelled order with a re-priced line and a removed line,
    /// then the order deleted and the name put back. Every page must agree with the tables after each step. Puts
    /// everything back (the other tests and the metrics share the seed), and uses ids no other test uses.
    /// </summary>
    [Fact]
    [Trait("Phase", "main")]
    public async Task ChangesMadeByOtherWritersShowUpInTheNextResponse()
    {
        (string Url, string? Status, int? CustomerId)[] pages =
        [
            ("/orders?status=open&pageSize=10", "open", null),
            ("/orders?pageSize=10", null, null),
            ($"/customers/{ErpCustomer}/orders?pageSize=10", null, ErpCustomer),
        ];

        string oldName;
        await using (var cmd = Grader.Database.CreateCommand("SELECT name FROM customers WHERE id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = ErpCustomer });
            var name = await cmd.ExecuteScalarAsync(Ct) as string;
            Assert.True(name is not null, $"grader setup: customer {ErpCustomer} is not in the demo data");
            oldName = name;
        }

        // Read the pages first, so anything that caches them has them cached.
        foreach (var (url, _, _) in pages)
            await Api.GetPageAsync(url, Ct);

        var newName = $"ERP Renamed {Guid.NewGuid():N}"[..32];
        var problems = new List<string>();
        var restored = false;
        try
        {
            await WriteAsync(Ct,
                ("""
                 INSERT INTO orders (id, number, customer_id, status, placed_at)
                 SELECT $1, $2, $3, 'open', max(placed_at) + interval '1 minute' FROM orders
                 """, [ErpOrderId, ErpOrderNumber, ErpCustomer]),
                ("""
                 INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price)
                 SELECT v.id, $1, v.line_no, p.id, v.quantity, p.unit_price
                 FROM (VALUES ($2, 1, 17, 3), ($3, 2, 230, 5)) AS v(id, line_no, product_id, quantity)
                 JOIN products p ON p.id = v.product_id
                 """, [ErpOrderId, ErpLineId1, ErpLineId2]),
                ("UPDATE customers SET name = $1 WHERE id = $2", [newName, ErpCustomer]));
            await CheckPagesAsync(
                $"the ERP import placed order {ErpOrderId} ({ErpOrderNumber}, open, 2 lines) for customer {ErpCustomer} " +
                $"and renamed the customer to \"{newName}\"", pages, problems);

            await WriteAsync(Ct,
                ("UPDATE orders SET status = 'cancelled' WHERE id = $1", [ErpOrderId]),
                ("UPDATE order_lines SET unit_price = unit_price + 10.00 WHERE id = $1", [ErpLineId1]),
                ("DELETE FROM order_lines WHERE id = $1", [ErpLineId2]));
            await CheckPagesAsync(
                $"another replica cancelled order {ErpOrderId}, re-priced its line 1 (+10.00) and removed its line 2",
                pages, problems);

            await RestoreAsync(oldName);
            restored = true;
            await CheckPagesAsync(
                $"the ERP import deleted order {ErpOrderId} and renamed customer {ErpCustomer} back to \"{oldName}\"",
                pages, problems);
        }
        finally
        {
            if (!restored)
                await RestoreAsync(oldName);
        }

        Assert.True(problems.Count == 0,
            "data written straight to the database by another writer (as the ERP import and the other replicas do) " +
            "did not show up in the next response:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>
    /// Compares each page with the tables, read as the grader right after it; adds the step and what differed
    /// (at most two differences a page) to <paramref name="problems"/>.
    /// </summary>
    private static async Task CheckPagesAsync(string change, (string Url, string? Status, int? CustomerId)[] pages,
        List<string> problems)
    {
        var found = new List<string>();
        foreach (var (url, status, customerId) in pages)
        {
            var actual = await Api.GetPageAsync(url, Ct);
            var expected = await ExpectedOrders.PageAsync(status, customerId, 1, 10, Ct);
            found.AddRange(ExpectedOrders.Differences(expected, actual, 2).Select(d => $"    GET {url}: {d}"));
        }
        if (found.Count > 0)
            problems.Add($"after {change}:\n" + string.Join("\n", found));
    }

    private static Task RestoreAsync(string oldName) => WriteAsync(CancellationToken.None,
        ("DELETE FROM order_lines WHERE order_id = $1", [ErpOrderId]),
        ("DELETE FROM orders WHERE id = $1", [ErpOrderId]),
        ("UPDATE customers SET name = $1 WHERE id = $2", [oldName, ErpCustomer]));

    /// <summary>Runs the statements as one batch: one implicit transaction, as one writer's commit.</summary>
    private static async Task WriteAsync(CancellationToken ct, params (string Sql, object[] Args)[] statements)
    {
        await using var batch = Grader.Database.CreateBatch();
        foreach (var (sql, args) in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var arg in args)
                command.Parameters.Add(new NpgsqlParameter { Value = arg });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The id of the order just placed: from the body as the template answers, else from Location.</summary>
    private static int NewOrderId(JsonElement created, Uri? location)
    {
        if (created.ValueKind == JsonValueKind.Object && created.TryGetProperty("id", out var id) && id.TryGetInt32(out var fromBody))
            return fromBody;
        var lastSegment = location?.OriginalString.TrimEnd('/').Split('/').LastOrDefault();
        if (int.TryParse(lastSegment, out var fromLocation))
            return fromLocation;
        Assert.Fail($"POST /orders succeeded but answered neither the new order (with its id) nor a Location /orders/{{id}} " +
                    $"(body: {created.ValueKind}, Location: {location?.OriginalString ?? "none"})");
        return 0;
    }

    private static void CheckNewOrderFirst(string what, JsonElement page, int newOrderId, int customerId, string newName,
        List<string> problems)
    {
        var items = page.GetProperty("items").EnumerateArray().ToList();
        if (items.Count == 0 || items[0].GetProperty("id").GetInt32() != newOrderId)
        {
            problems.Add($"{what}: the order just placed ({newOrderId}) is not the first item " +
                         $"(first is {(items.Count == 0 ? "nothing" : items[0].GetProperty("id").GetInt32().ToString())})");
        }
        else
        {
            var lines = items[0].GetProperty("lines").EnumerateArray()
                .Select(l => $"{l.GetProperty("sku").GetString()} x{l.GetProperty("quantity").GetInt32()}");
            var shown = string.Join(", ", lines);
            if (shown != "SKU-00017 x4, SKU-00230 x2")
                problems.Add($"{what}: the new order shows lines [{shown}], expected [SKU-00017 x4, SKU-00230 x2]");
        }

        var stale = items
            .Where(o => o.GetProperty("customer").GetProperty("id").GetInt32() == customerId)
            .Select(o => o.GetProperty("customer").GetProperty("name").GetString())
            .Where(name => name != newName)
            .Distinct()
            .ToList();
        if (stale.Count > 0)
            problems.Add($"{what}: customer {customerId} still shows the old name \"{stale[0]}\" instead of \"{newName}\"");
    }
}
