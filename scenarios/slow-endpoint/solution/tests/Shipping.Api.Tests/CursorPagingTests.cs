using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shipping.Api.Tests;

/// <summary>The cursor contract of the dashboard search (see README).</summary>
[Collection(ShippingFactory.Collection)]
public class CursorPagingTests(ShippingFactory factory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private record Item(long Id, string TrackingNumber, string Carrier, string Status, DateTime CreatedAt);

    private record Page(List<Item> Items, int PageSize, bool HasMore, string? NextCursor);

    private async Task<Page> SearchAsync(string query)
    {
        var response = await factory.CreateClient().GetAsync("/api/shipments/search?" + query, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET ?{query} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Page>(Json, TestContext.Current.CancellationToken))!;
    }

    private async Task<List<Item>> WalkAsync(string filters, int pageSize)
    {
        var all = new List<Item>();
        var page = await SearchAsync($"{filters}&pageSize={pageSize}");
        all.AddRange(page.Items);
        while (page.NextCursor is not null)
        {
            Assert.True(page.HasMore);
            page = await SearchAsync($"{filters}&pageSize={pageSize}&cursor={Uri.EscapeDataString(page.NextCursor)}");
            all.AddRange(page.Items);
        }
        Assert.False(page.HasMore);
        return all;
    }

    [Theory]
    [InlineData("created_desc")]
    [InlineData("created_asc")]
    public async Task Walking_with_small_pages_returns_what_one_big_page_returns(string sort)
    {
        // Pages of 7 cut through the bulk imports' shared created_at many times.
        var filters = $"status=in_transit&carrier=POSTNL&sort={sort}";
        var walked = await WalkAsync(filters, pageSize: 7);
        var whole = await SearchAsync($"{filters}&pageSize=200");

        Assert.False(whole.HasMore, "the test needs a tab that fits in one page of 200");
        Assert.Equal(whole.Items.Select(i => i.Id), walked.Select(i => i.Id));
    }

    [Fact]
    public async Task A_cursor_is_unaffected_by_shipments_booked_meanwhile()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await SearchAsync("status=in_transit&carrier=GLS&pageSize=10");
        var expected = await SearchAsync("status=in_transit&carrier=GLS&pageSize=20");

        var booked = await factory.CreateClient().PostAsJsonAsync("/api/shipments", new
        {
            merchantId = 5, carrier = "GLS", status = "in_transit", originCountry = "NL",
            destinationCountry = "BE", destinationPostcode = "1000", weightGrams = 800,
        }, ct);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);

        var second = await SearchAsync($"status=in_transit&carrier=GLS&pageSize=10&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        Assert.Equal(expected.Items.Skip(10).Select(i => i.Id), second.Items.Select(i => i.Id));
    }

    [Theory]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=djF8Y3JlYXRlZF9kZXNjfHh8eXx6")]
    public async Task A_malformed_cursor_is_a_400(string query)
    {
        var response = await factory.CreateClient().GetAsync($"/api/shipments/search?status=in_transit&{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_cursor_from_another_tab_is_a_400()
    {
        var dhl = await SearchAsync("status=in_transit&carrier=DHL&pageSize=5");
        var response = await factory.CreateClient().GetAsync(
            $"/api/shipments/search?status=in_transit&carrier=UPS&pageSize=5&cursor={Uri.EscapeDataString(dhl.NextCursor!)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
