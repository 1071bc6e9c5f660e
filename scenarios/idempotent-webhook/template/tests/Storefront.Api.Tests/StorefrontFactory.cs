using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storefront.Api.Data;

namespace Storefront.Api.Tests;

/// <summary>
/// The real service, in memory, against the PostgreSQL database named by the environment variable
/// ConnectionStrings__Shop (see README). The email provider is replaced by an in-process stub that
/// records every message it accepts.
/// </summary>
public sealed class StorefrontFactory : WebApplicationFactory<Program>
{
    public StubEmailProvider Email { get; } = new();

    public StorefrontFactory()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ConnectionStrings__Shop")))
            throw new InvalidOperationException(
                "Set ConnectionStrings__Shop to a PostgreSQL database the tests may use, e.g. " +
                "\"Host=localhost;Port=5432;Database=shop;Username=shop;Password=shop\" with `docker compose up -d` (see README).");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("EmailProvider:BaseUrl", "http://email.test/");
        builder.ConfigureServices(services =>
            services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => Email)));
    }

    /// <summary>An order that is still awaiting payment; each call returns a different one.</summary>
    public async Task<Order> TakeOrderAwaitingPaymentAsync()
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var taken = TakenOrders.Keys.ToArray();
        var order = await db.Orders.AsNoTracking()
            .Include(o => o.Customer)
            .Where(o => o.Status == OrderStatus.AwaitingPayment && !taken.Contains(o.Id))
            .OrderBy(o => o.Id)
            .FirstAsync();
        TakenOrders.TryAdd(order.Id, 0);
        return order;
    }

    private static readonly ConcurrentDictionary<int, byte> TakenOrders = new();

    public async Task<T> WithDbAsync<T>(Func<ShopDbContext, Task<T>> query)
    {
        using var scope = Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<ShopDbContext>());
    }
}

public record SentEmail(string To, string Subject, string Text);

/// <summary>Answers POST /v1/messages with 202 and remembers the message.</summary>
public sealed class StubEmailProvider : HttpMessageHandler
{
    private readonly ConcurrentQueue<SentEmail> _sent = new();

    public IReadOnlyList<SentEmail> Sent => _sent.ToArray();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath != "/v1/messages")
            return new HttpResponseMessage(HttpStatusCode.NotFound);

        using var doc = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct));
        var root = doc.RootElement;
        _sent.Enqueue(new SentEmail(root.GetProperty("to").GetString()!, root.GetProperty("subject").GetString()!, root.GetProperty("text").GetString()!));
        return new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent("""{"id":"msg_stub"}""") };
    }

    public async Task<IReadOnlyList<SentEmail>> WaitForAsync(string subjectContains, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var matching = Sent.Where(m => m.Subject.Contains(subjectContains, StringComparison.Ordinal)).ToList();
            if (matching.Count > 0 || DateTime.UtcNow > until) return matching;
            await Task.Delay(100);
        }
    }
}
