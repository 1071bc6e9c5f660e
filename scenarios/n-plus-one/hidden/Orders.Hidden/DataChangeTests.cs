using System.Text.Json;

namespace Orders.Hidden;

/// <summary>
/// Guard: the pages show the data as it is now. Back office, portal, ERP import and several replicas write
/// to these tables, so a copy of the data taken at start-up (or cached without invalidation) is not a fix.
/// Passes on the template.
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
