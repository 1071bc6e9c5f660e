namespace Orders.Hidden;

/// <summary>
/// Guards: a fix must not change what the pages return. Each page is compared with the tables, read as the
/// grader at the same moment: same JSON shape, same orders in the same order, same customer names, lines and totals.
/// These pass on the template.
/// </summary>
[Collection(GraderCollection.Name)]
public sealed class ResponseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Phase", "main")]
    public async Task OrdersPage_ResponseMatchesTheDatabase()
    {
        await AssertPageAsync("/orders?status=open&page=1&pageSize=200", "open", null, 1, 200);
        await AssertPageAsync("/orders?status=shipped&page=7&pageSize=10", "shipped", null, 7, 10);
        await AssertPageAsync("/orders?status=cancelled&page=2&pageSize=37", "cancelled", null, 2, 37);
        await AssertPageAsync("/orders?page=3&pageSize=50", null, null, 3, 50);
        await AssertPageAsync("/orders", null, null, 1, 25);
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task CustomerOrders_ResponseMatchesTheDatabase()
    {
        var (busiest, _) = await ExpectedOrders.BusiestCustomerAsync(Ct);
        await AssertPageAsync($"/customers/{busiest}/orders?page=2&pageSize=200", null, busiest, 2, 200);
        await AssertPageAsync($"/customers/{busiest}/orders", null, busiest, 1, 25);
        await AssertPageAsync("/customers/123/orders?pageSize=15", null, 123, 1, 15);
    }

    private static async Task AssertPageAsync(string url, string? status, int? customerId, int page, int pageSize)
    {
        var actual = await Api.GetPageAsync(url, Ct);
        var expected = await ExpectedOrders.PageAsync(status, customerId, page, pageSize, Ct);
        Assert.NotEmpty(expected.Items);

        var diffs = ExpectedOrders.Differences(expected, actual);
        Assert.True(diffs.Count == 0,
            $"GET {url}: the response differs from the orders in the database:\n  " + string.Join("\n  ", diffs));
    }
}
