using System.Net;
using System.Net.Http.Json;

namespace Orders.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OrdersEndpointTests(OrdersApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_is_ok()
    {
        var response = await _client.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Orders_page_has_customer_lines_and_totals_newest_first()
    {
        var page = await _client.GetFromJsonAsync<OrderPageJson>("/orders?pageSize=50", Ct);

        Assert.NotNull(page);
        Assert.Equal(1, page.Page);
        Assert.Equal(50, page.PageSize);
        Assert.Equal(50, page.Items.Count);
        Assert.True(page.TotalCount >= 20_000, $"expected the demo data set, got {page.TotalCount} orders");

        var sorted = page.Items.OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.Id).Select(o => o.Id);
        Assert.Equal(sorted, page.Items.Select(o => o.Id));

        foreach (var order in page.Items)
        {
            Assert.StartsWith("SO-", order.Number);
            Assert.True(order.Customer.Id > 0);
            Assert.False(string.IsNullOrWhiteSpace(order.Customer.Name));
            Assert.NotEmpty(order.Lines);
            Assert.Equal(Enumerable.Range(1, order.Lines.Count), order.Lines.Select(l => l.LineNo));
            foreach (var line in order.Lines)
            {
                Assert.StartsWith("SKU-", line.Sku);
                Assert.False(string.IsNullOrWhiteSpace(line.ProductName));
                Assert.Equal(line.Quantity * line.UnitPrice, line.LineTotal);
            }
            Assert.Equal(order.Lines.Sum(l => l.LineTotal), order.Total);
        }
    }

    [Theory]
    [InlineData("open")]
    [InlineData("shipped")]
    [InlineData("invoiced")]
    [InlineData("cancelled")]
    public async Task Orders_filter_by_status(string status)
    {
        var page = await _client.GetFromJsonAsync<OrderPageJson>($"/orders?status={status}&pageSize=100", Ct);

        Assert.NotNull(page);
        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, o => Assert.Equal(status, o.Status));
    }

    [Fact]
    public async Task Pages_follow_each_other_without_overlap()
    {
        var first = await _client.GetFromJsonAsync<OrderPageJson>("/orders?status=shipped&page=1&pageSize=20", Ct);
        var second = await _client.GetFromJsonAsync<OrderPageJson>("/orders?status=shipped&page=2&pageSize=20", Ct);
        var both = await _client.GetFromJsonAsync<OrderPageJson>("/orders?status=shipped&page=1&pageSize=40", Ct);

        Assert.Equal(both!.Items.Select(o => o.Id), first!.Items.Concat(second!.Items).Select(o => o.Id));
        Assert.Equal(first.TotalCount, second.TotalCount);
    }

    [Theory]
    [InlineData("/orders?pageSize=0")]
    [InlineData("/orders?pageSize=201")]
    [InlineData("/orders?page=0")]
    [InlineData("/orders?status=lost")]
    public async Task Bad_paging_or_status_is_a_400(string url)
    {
        var response = await _client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Single_order_is_the_same_as_in_the_list()
    {
        var page = await _client.GetFromJsonAsync<OrderPageJson>("/orders?status=invoiced&pageSize=5", Ct);
        var listed = page!.Items[3];

        var single = await _client.GetFromJsonAsync<OrderJson>($"/orders/{listed.Id}", Ct);

        Assert.Equivalent(listed, single, strict: true);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/orders/999999999", Ct)).StatusCode);
    }

    [Fact]
    public async Task Placed_order_is_listed_first_with_todays_prices()
    {
        var response = await _client.PostAsJsonAsync("/orders", new
        {
            customerId = 7,
            lines = new[] { new { productId = 12, quantity = 3 }, new { productId = 200, quantity = 1 } },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<OrderJson>(Ct);

        var open = await _client.GetFromJsonAsync<OrderPageJson>("/orders?status=open&pageSize=10", Ct);

        Assert.NotNull(created);
        Assert.Contains(open!.Items, o => o.Id == created.Id);
        var listed = open.Items.Single(o => o.Id == created.Id);
        Assert.Equivalent(created, listed, strict: true);
        Assert.Equal("open", listed.Status);
        Assert.Equal(7, listed.Customer.Id);
        Assert.Equal(["SKU-00012", "SKU-00200"], listed.Lines.Select(l => l.Sku));
        Assert.Equal([3, 1], listed.Lines.Select(l => l.Quantity));
    }

    [Fact]
    public async Task Order_with_unknown_product_is_rejected()
    {
        var response = await _client.PostAsJsonAsync("/orders", new
        {
            customerId = 7,
            lines = new[] { new { productId = 999_999, quantity = 1 } },
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
