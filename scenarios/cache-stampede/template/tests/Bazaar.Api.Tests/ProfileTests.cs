using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Xunit;

namespace Bazaar.Api.Tests;

/// <summary>The behaviour of the profile endpoint that has to stay as it is.</summary>
public sealed class ProfileTests(BazaarFactory factory) : IClassFixture<BazaarFactory>
{
    private sealed record Stats(int ActiveListings, int ItemsSold, int Reviews, double? AverageRating);

    private sealed record Profile(long UserId, string Handle, string DisplayName, string City, DateTime MemberSince,
        string Headline, string Bio, string AvatarUrl, List<string> Badges, Stats Seller);

    private HttpClient Client()
    {
        Assert.SkipWhen(string.IsNullOrWhiteSpace(BazaarFactory.ConnectionString),
            $"set {BazaarFactory.DatabaseVariable} to a PostgreSQL database (see README) to run these tests");
        return factory.CreateClient();
    }

    [Fact]
    public async Task Health_answers_ok()
    {
        var response = await Client().GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Profile_combines_member_seller_statistics_and_profile_service()
    {
        var client = Client();
        const long userId = 42;

        var profile = await client.GetFromJsonAsync<Profile>($"/users/{userId}/profile", TestContext.Current.CancellationToken);

        await using var db = new NpgsqlConnection(BazaarFactory.ConnectionString);
        await db.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("""
            SELECT u.handle,
                   (SELECT count(*) FROM listings WHERE seller_id = u.id AND status = 'active')::int,
                   (SELECT count(*) FROM listings WHERE seller_id = u.id AND status = 'sold')::int,
                   (SELECT count(*) FROM reviews WHERE seller_id = u.id)::int,
                   (SELECT round(avg(rating)::numeric, 2)::float8 FROM reviews WHERE seller_id = u.id)
            FROM users u WHERE u.id = @id
            """, db);
        cmd.Parameters.AddWithValue("id", userId);
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));

        Assert.NotNull(profile);
        Assert.Equal(userId, profile.UserId);
        Assert.Equal(reader.GetString(0), profile.Handle);
        Assert.Equal(reader.GetInt32(1), profile.Seller.ActiveListings);
        Assert.Equal(reader.GetInt32(2), profile.Seller.ItemsSold);
        Assert.Equal(reader.GetInt32(3), profile.Seller.Reviews);
        Assert.Equal(reader.IsDBNull(4) ? null : reader.GetDouble(4), profile.Seller.AverageRating);
        var expected = StubProfileSource.ProfileOf(userId);
        Assert.Equal(expected.Headline, profile.Headline);
        Assert.Equal(expected.Bio, profile.Bio);
        Assert.Equal(expected.AvatarUrl, profile.AvatarUrl);
        Assert.Equal(expected.Badges, profile.Badges);
    }

    [Fact]
    public async Task Repeated_views_within_the_ttl_do_not_call_the_profile_service_again()
    {
        var client = Client();
        const long userId = 77;

        for (var i = 0; i < 5; i++)
        {
            var response = await client.GetAsync($"/users/{userId}/profile", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, factory.ProfileSource.CallsFor(userId));
    }

    [Fact]
    public async Task Unknown_member_is_404()
    {
        var response = await Client().GetAsync("/users/987654321/profile", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Banned_member_is_404_and_visible_again_after_unban()
    {
        var client = Client();
        const long userId = 4321;

        var ban = await client.PostAsJsonAsync($"/admin/users/{userId}/ban", new { reason = "public test" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, ban.StatusCode);
        try
        {
            var banned = await client.GetAsync($"/users/{userId}/profile", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, banned.StatusCode);
        }
        finally
        {
            var unban = await client.PostAsync($"/admin/users/{userId}/unban", null, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NoContent, unban.StatusCode);
        }

        var visible = await client.GetAsync($"/users/{userId}/profile", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
    }

    [Fact]
    public async Task Ban_of_unknown_member_is_404()
    {
        var response = await Client().PostAsync("/admin/users/987654321/ban", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Profile_service_failure_answers_503_and_is_not_cached()
    {
        var client = Client();
        const long userId = 4999;

        factory.ProfileSource.Failing[userId] = true;
        var failed = await client.GetAsync($"/users/{userId}/profile", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);

        factory.ProfileSource.Failing.TryRemove(userId, out _);
        var recovered = await client.GetAsync($"/users/{userId}/profile", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Active_listings_of_a_member_are_listed_newest_first()
    {
        var client = Client();
        var listings = await client.GetFromJsonAsync<List<Listing>>("/users/42/listings", TestContext.Current.CancellationToken);
        Assert.NotNull(listings);
        Assert.NotEmpty(listings);
        Assert.True(listings.Zip(listings.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt), "listings are not newest first");
    }

    private sealed record Listing(long Id, string Title, int PriceCents, DateTime CreatedAt);
}
