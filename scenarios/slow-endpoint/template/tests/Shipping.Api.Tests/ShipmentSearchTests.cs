using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shipping.Api.Tests;

/// <summary>
/// What the operations dashboard and the carrier integrations rely on. These pin behaviour that
/// must keep working; they say nothing about speed.
/// </summary>
[Collection(ShippingFactory.Collection)]
public class ShipmentSearchTests(ShippingFactory factory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private record Item(long Id, string TrackingNumber, string Carrier, string Status, DateTime CreatedAt);

    private record Page(List<Item> Items, int PageSize, bool HasMore);

    private async Task<Page> SearchAsync(string query)
    {
        var response = await factory.CreateClient().GetAsync("/api/shipments/search?" + query, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET ?{query} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Page>(Json, TestContext.Current.CancellationToken))!;
    }

    private async Task<HttpStatusCode> StatusOfSearchAsync(string query) =>
        (await factory.CreateClient().GetAsync("/api/shipments/search?" + query, TestContext.Current.CancellationToken)).StatusCode;

    private static void AssertNewestFirst(IReadOnlyList<Item> items)
    {
        for (var i = 1; i < items.Count; i++)
            Assert.True(items[i].CreatedAt <= items[i - 1].CreatedAt, $"{items[i].TrackingNumber} is newer than {items[i - 1].TrackingNumber} but comes after it");
    }

    [Fact]
    public async Task Health_answers_ok()
    {
        var response = await factory.CreateClient().GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Search_filters_by_status_and_carrier_newest_first()
    {
        var page = await SearchAsync("status=in_transit&carrier=DHL&sort=created_desc");

        Assert.Equal(50, page.Items.Count);
        Assert.Equal(50, page.PageSize);
        Assert.True(page.HasMore);
        Assert.All(page.Items, s => Assert.Equal(("in_transit", "DHL"), (s.Status, s.Carrier)));
        AssertNewestFirst(page.Items);
    }

    [Fact]
    public async Task Carrier_codes_are_case_insensitive()
    {
        var upper = await SearchAsync("status=in_transit&carrier=POSTNL&pageSize=20");
        var mixed = await SearchAsync("status=in_transit&carrier=PostNL&pageSize=20");

        Assert.NotEmpty(upper.Items);
        Assert.Equal(upper.Items.Select(i => i.Id), mixed.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Newest_first_is_the_default_and_oldest_first_is_available()
    {
        var byDefault = await SearchAsync("status=delivered&carrier=UPS&pageSize=10");
        var newest = await SearchAsync("status=delivered&carrier=UPS&pageSize=10&sort=created_desc");
        var oldest = await SearchAsync("status=delivered&carrier=UPS&pageSize=10&sort=created_asc");

        Assert.Equal(newest.Items.Select(i => i.Id), byDefault.Items.Select(i => i.Id));
        for (var i = 1; i < oldest.Items.Count; i++)
            Assert.True(oldest.Items[i].CreatedAt >= oldest.Items[i - 1].CreatedAt);
        Assert.True(oldest.Items[0].CreatedAt < newest.Items[^1].CreatedAt);
    }

    [Fact]
    public async Task From_and_to_are_whole_utc_days_both_inclusive()
    {
        var sample = (await SearchAsync("status=in_transit&carrier=DHL&pageSize=50")).Items[^1];
        var day = DateOnly.FromDateTime(sample.CreatedAt);
        var page = await SearchAsync($"status=in_transit&carrier=DHL&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&pageSize=200");

        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, s => Assert.Equal(day, DateOnly.FromDateTime(s.CreatedAt)));
        AssertNewestFirst(page.Items);
    }

    [Fact]
    public async Task Page_numbers_keep_working_for_old_dashboard_builds()
    {
        var first = await SearchAsync("status=returned&carrier=DPD&pageSize=10");
        var second = await SearchAsync("status=returned&carrier=DPD&pageSize=10&page=2");
        var both = await SearchAsync("status=returned&carrier=DPD&pageSize=20");

        Assert.Equal(both.Items.Select(i => i.Id), first.Items.Concat(second.Items).Select(i => i.Id));
    }

    [Fact]
    public async Task The_last_page_says_there_is_no_more()
    {
        var page = await SearchAsync("status=lost&carrier=ROYALMAIL&pageSize=200");
        Assert.True(page.Items.Count < 200, "expected fewer than 200 lost ROYALMAIL shipments in the test data set");
        Assert.False(page.HasMore);
    }

    [Theory]
    [InlineData("status=shipped")]
    [InlineData("sort=weight_desc")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=201")]
    [InlineData("page=0")]
    [InlineData("from=2026-13-01")]
    [InlineData("from=2026-05-02&to=2026-05-01")]
    public async Task Bad_search_parameters_are_a_400(string query)
    {
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfSearchAsync(query));
    }

    [Fact]
    public async Task A_booked_shipment_shows_up_first_in_its_tab()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/shipments", new
        {
            merchantId = 17,
            merchantReference = "PO-777",
            carrier = "fedex",
            serviceLevel = "express",
            status = "label_created",
            originCountry = "NL",
            destinationCountry = "DE",
            destinationPostcode = "10115",
            weightGrams = 2300,
        }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<Item>(Json, ct))!;
        Assert.Equal("FEDEX", created.Carrier);

        var page = await SearchAsync("status=label_created&carrier=FEDEX&pageSize=5");
        Assert.Equal(created.Id, page.Items[0].Id);

        var byNumber = await client.GetFromJsonAsync<Item>($"/api/shipments/{created.TrackingNumber}", Json, ct);
        Assert.Equal(created.Id, byNumber!.Id);
    }

    [Fact]
    public async Task A_tracking_event_moves_the_shipment_to_another_tab()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = factory.CreateClient();
        var shipment = (await SearchAsync("status=out_for_delivery&carrier=DPD&pageSize=1")).Items.Single();

        var response = await client.PostAsJsonAsync($"/api/shipments/{shipment.TrackingNumber}/events", new { status = "delivered" }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stillOut = await SearchAsync("status=out_for_delivery&carrier=DPD&pageSize=200");
        Assert.DoesNotContain(stillOut.Items, i => i.Id == shipment.Id);
        var unknown = await client.PostAsJsonAsync("/api/shipments/SHP999999999/events", new { status = "delivered" }, ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
