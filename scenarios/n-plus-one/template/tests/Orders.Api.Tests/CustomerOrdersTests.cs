using System.Net;
using System.Net.Http.Json;

namespace Orders.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class CustomerOrdersTests(OrdersApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customer_history_lists_only_that_customers_orders_newest_first()
    {
        var page = await _client.GetFromJsonAsync<OrderPageJson>("/customers/3/orders?pageSize=100", Ct);

        Assert.NotNull(page);
        Assert.True(page.TotalCount > 100, $"customer 3 is a key account with many orders, got {page.TotalCount}");
        Assert.Equal(100, page.Items.Count);
        Assert.All(page.Items, o => Assert.Equal(3, o.Customer.Id));
        var sorted = page.Items.OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.Id).Select(o => o.Id);
        Assert.Equal(sorted, page.Items.Select(o => o.Id));
    }

    [Fact]
    public async Task Unknown_customer_is_a_404()
    {
        var response = await _client.GetAsync("/customers/999999/orders", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Renamed_customer_shows_on_their_orders_at_once()
    {
        var before = await _client.GetFromJsonAsync<OrderPageJson>("/customers/5/orders?pageSize=3", Ct);
        var oldName = before!.Items[0].Customer.Name;
        var newName = $"Renamed in test {Guid.NewGuid():N}";

        try
        {
            var rename = await _client.PatchAsJsonAsync("/customers/5", new { name = newName }, Ct);
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);

            var after = await _client.GetFromJsonAsync<OrderPageJson>("/customers/5/orders?pageSize=3", Ct);
            Assert.All(after!.Items, o => Assert.Equal(newName, o.Customer.Name));
        }
        finally
        {
            await _client.PatchAsJsonAsync("/customers/5", new { name = oldName }, Ct);
        }
    }
}
