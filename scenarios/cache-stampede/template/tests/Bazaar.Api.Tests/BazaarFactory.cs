using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Bazaar.Api.Profiles;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Bazaar.Api.Tests;

/// <summary>The API in memory against a real PostgreSQL (connection string from the environment
/// variable ConnectionStrings__Bazaar, the same one the service reads) and a stubbed profile service.</summary>
public sealed class BazaarFactory : WebApplicationFactory<Program>
{
    public const string DatabaseVariable = "ConnectionStrings__Bazaar";

    public StubProfileSource ProfileSource { get; } = new();

    public static string? ConnectionString => Environment.GetEnvironmentVariable(DatabaseVariable);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ProfileSource:BaseUrl", "http://profiles.test/v2");
        builder.UseSetting("ProfileCache:Ttl", "00:01:00");
        builder.ConfigureTestServices(services =>
            services.AddHttpClient<ProfileSourceClient>().ConfigurePrimaryHttpMessageHandler(() => ProfileSource));
    }
}

/// <summary>Answers like the profile service; user ids listed in <see cref="Failing"/> get a 500.</summary>
public sealed class StubProfileSource : HttpMessageHandler
{
    private readonly ConcurrentDictionary<long, int> _calls = new();

    public ConcurrentDictionary<long, bool> Failing { get; } = new();

    public int CallsFor(long userId) => _calls.TryGetValue(userId, out var n) ? n : 0;

    public static SourceProfile ProfileOf(long userId) =>
        new(userId, $"Headline of {userId}", $"Bio of {userId}", $"https://cdn.example.test/avatars/{userId}.jpg", userId % 2 == 0 ? ["top-seller", "fast-shipper"] : []);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var last = request.RequestUri!.Segments[^1];
        var userId = long.Parse(last);
        _calls.AddOrUpdate(userId, 1, (_, n) => n + 1);
        if (!request.RequestUri.AbsolutePath.StartsWith("/v2/users/", StringComparison.Ordinal))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        if (Failing.ContainsKey(userId))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(ProfileOf(userId)) });
    }
}
