using System.Text.Json;
using Npgsql;

namespace Orders.Hidden;

public sealed record ExpectedLine(int LineNo, string Sku, string ProductName, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => Quantity * UnitPrice;
}

public sealed record ExpectedOrder(
    int Id, string Number, string Status, DateTime PlacedAt, int CustomerId, string CustomerName, List<ExpectedLine> Lines)
{
    public decimal Total => Lines.Sum(l => l.LineTotal);
}

public sealed record ExpectedPage(int Page, int PageSize, int TotalCount, List<ExpectedOrder> Items);

/// <summary>
/// What a page must contain, read straight from the tables as the grader: the template's contract
/// (newest first by placed_at then id, customer name, lines by line_no with product sku and name,
/// line total = quantity x unit price, order total = sum of line totals).
/// </summary>
public static class ExpectedOrders
{
    public static async Task<ExpectedPage> PageAsync(string? status, int? customerId, int page, int pageSize, CancellationToken ct)
    {
        const string Filter = "($1::text IS NULL OR o.status = $1) AND ($2::int IS NULL OR o.customer_id = $2)";

        await using var conn = await Grader.Database.OpenConnectionAsync(ct);

        int total;
        await using (var count = new NpgsqlCommand($"SELECT count(*)::int FROM orders o WHERE {Filter}", conn))
        {
            AddFilter(count, status, customerId);
            total = (int)(await count.ExecuteScalarAsync(ct))!;
        }

        var orders = new List<ExpectedOrder>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT o.id, o.number, o.status, o.placed_at, c.id, c.name
            FROM orders o JOIN customers c ON c.id = o.customer_id
            WHERE {Filter}
            ORDER BY o.placed_at DESC, o.id DESC
            LIMIT $3 OFFSET $4
            """, conn))
        {
            AddFilter(cmd, status, customerId);
            cmd.Parameters.Add(new NpgsqlParameter { Value = pageSize });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (page - 1) * pageSize });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                orders.Add(new ExpectedOrder(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetDateTime(3),
                    r.GetInt32(4), r.GetString(5), []));
        }

        var byId = orders.ToDictionary(o => o.Id);
        await using (var cmd = new NpgsqlCommand("""
            SELECT l.order_id, l.line_no, p.sku, p.name, l.quantity, l.unit_price
            FROM order_lines l JOIN products p ON p.id = l.product_id
            WHERE l.order_id = ANY($1)
            ORDER BY l.order_id, l.line_no
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = byId.Keys.ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                byId[r.GetInt32(0)].Lines.Add(new ExpectedLine(r.GetInt32(1), r.GetString(2), r.GetString(3),
                    r.GetInt32(4), r.GetDecimal(5)));
        }

        return new ExpectedPage(page, pageSize, total, orders);
    }

    private static void AddFilter(NpgsqlCommand cmd, string? status, int? customerId)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, DataTypeName = "text" });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)customerId ?? DBNull.Value, DataTypeName = "integer" });
    }

    /// <summary>The customer with the most orders (a key account), and how many orders it has.</summary>
    public static async Task<(int CustomerId, int Orders)> BusiestCustomerAsync(CancellationToken ct)
    {
        await using var cmd = Grader.Database.CreateCommand(
            "SELECT customer_id, count(*)::int FROM orders GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        Assert.True(await r.ReadAsync(ct), "the orders table is empty: the service did not seed its demo data");
        return (r.GetInt32(0), r.GetInt32(1));
    }

    /// <summary>A regular customer: the one with the fewest orders that still fill <paramref name="minOrders"/> rows.</summary>
    public static async Task<(int CustomerId, int Orders)> RegularCustomerAsync(int minOrders, CancellationToken ct)
    {
        await using var cmd = Grader.Database.CreateCommand("""
            SELECT customer_id, count(*)::int FROM orders GROUP BY customer_id
            HAVING count(*) >= $1 ORDER BY count(*), customer_id LIMIT 1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = minOrders });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        Assert.True(await r.ReadAsync(ct), $"grader setup: no customer has {minOrders} orders or more");
        return (r.GetInt32(0), r.GetInt32(1));
    }

    /// <summary>How many orders have <paramref name="status"/>.</summary>
    public static async Task<int> CountAsync(string status, CancellationToken ct)
    {
        await using var cmd = Grader.Database.CreateCommand("SELECT count(*)::int FROM orders WHERE status = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = status });
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Compares a page from the service with the expected one: same JSON shape (property names, nothing
    /// missing or extra) and same values. Returns the differences, at most <paramref name="max"/>.
    /// </summary>
    public static List<string> Differences(ExpectedPage expected, JsonElement actual, int max = 10)
    {
        var diffs = new List<string>();
        void Diff(string where, object? want, object? got)
        {
            if (!Equals(want, got) && diffs.Count < max)
                diffs.Add($"{where}: expected {Show(want)}, got {Show(got)}");
        }

        if (!SameShape(actual, ["page", "pageSize", "totalCount", "items"], "page", diffs))
            return diffs;
        Diff("page", expected.Page, actual.GetProperty("page").GetInt32());
        Diff("pageSize", expected.PageSize, actual.GetProperty("pageSize").GetInt32());
        Diff("totalCount", expected.TotalCount, actual.GetProperty("totalCount").GetInt32());

        var items = actual.GetProperty("items").EnumerateArray().ToList();
        Diff("items.length", expected.Items.Count, items.Count);
        for (var i = 0; i < Math.Min(items.Count, expected.Items.Count) && diffs.Count < max; i++)
        {
            var want = expected.Items[i];
            var got = items[i];
            var at = $"items[{i}] (order {want.Id})";
            if (!SameShape(got, ["id", "number", "status", "placedAt", "customer", "lines", "total"], at, diffs))
                continue;
            Diff($"{at}.id", want.Id, got.GetProperty("id").GetInt32());
            if (want.Id != got.GetProperty("id").GetInt32())
                continue;
            Diff($"{at}.number", want.Number, got.GetProperty("number").GetString());
            Diff($"{at}.status", want.Status, got.GetProperty("status").GetString());
            Diff($"{at}.placedAt", want.PlacedAt.ToUniversalTime(),
                got.GetProperty("placedAt").GetDateTimeOffset().UtcDateTime);
            var customer = got.GetProperty("customer");
            if (SameShape(customer, ["id", "name"], $"{at}.customer", diffs))
            {
                Diff($"{at}.customer.id", want.CustomerId, customer.GetProperty("id").GetInt32());
                Diff($"{at}.customer.name", want.CustomerName, customer.GetProperty("name").GetString());
            }
            Diff($"{at}.total", want.Total, got.GetProperty("total").GetDecimal());

            var lines = got.GetProperty("lines").EnumerateArray().ToList();
            Diff($"{at}.lines.length", want.Lines.Count, lines.Count);
            for (var j = 0; j < Math.Min(lines.Count, want.Lines.Count); j++)
            {
                var wl = want.Lines[j];
                var gl = lines[j];
                var lat = $"{at}.lines[{j}]";
                if (!SameShape(gl, ["lineNo", "sku", "productName", "quantity", "unitPrice", "lineTotal"], lat, diffs))
                    continue;
                Diff($"{lat}.lineNo", wl.LineNo, gl.GetProperty("lineNo").GetInt32());
                Diff($"{lat}.sku", wl.Sku, gl.GetProperty("sku").GetString());
                Diff($"{lat}.productName", wl.ProductName, gl.GetProperty("productName").GetString());
                Diff($"{lat}.quantity", wl.Quantity, gl.GetProperty("quantity").GetInt32());
                Diff($"{lat}.unitPrice", wl.UnitPrice, gl.GetProperty("unitPrice").GetDecimal());
                Diff($"{lat}.lineTotal", wl.LineTotal, gl.GetProperty("lineTotal").GetDecimal());
            }
        }
        return diffs;
    }

    private static bool SameShape(JsonElement element, string[] properties, string where, List<string> diffs)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            diffs.Add($"{where}: expected a JSON object, got {element.ValueKind}");
            return false;
        }
        var names = element.EnumerateObject().Select(p => p.Name).ToHashSet();
        var missing = properties.Where(p => !names.Contains(p)).ToList();
        var extra = names.Where(n => !properties.Contains(n)).ToList();
        if (missing.Count == 0 && extra.Count == 0)
            return true;
        diffs.Add($"{where}: JSON shape changed (missing: [{string.Join(", ", missing)}], extra: [{string.Join(", ", extra)}])");
        return false;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        DateTime d => d.ToString("O"),
        _ => value.ToString()!,
    };
}
