using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Tests;

/// <summary>The behaviour the payment provider, the warehouse and our customers rely on.</summary>
public class PaymentWebhookTests(StorefrontFactory factory) : IClassFixture<StorefrontFactory>
{
    private static object PaymentSucceeded(string eventId, Order order, long? amountCents = null) => new
    {
        id = eventId,
        type = "payment.succeeded",
        createdAt = DateTimeOffset.UtcNow,
        data = new { orderNumber = order.Number, paymentId = "pay_" + eventId, amountCents = amountCents ?? order.TotalCents, currency = order.Currency },
    };

    private static string NewEventId() => "evt_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Health_answers_ok()
    {
        var response = await factory.CreateClient().GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Successful_payment_marks_the_order_paid_requests_fulfilment_and_emails_the_customer()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await factory.TakeOrderAwaitingPaymentAsync();
        var eventId = NewEventId();

        var response = await factory.CreateClient().PostAsJsonAsync("/webhooks/payments", PaymentSucceeded(eventId, order), ct);

        Assert.True(response.IsSuccessStatusCode, $"webhook answered {(int)response.StatusCode}");
        var stored = await factory.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id, ct));
        Assert.Equal(OrderStatus.Paid, stored.Status);
        Assert.NotNull(stored.PaidAt);
        Assert.Equal("pay_" + eventId, stored.PaymentReference);

        var fulfilments = await factory.WithDbAsync(db => db.FulfilmentRequests.CountAsync(f => f.OrderId == order.Id, ct));
        Assert.Equal(1, fulfilments);

        // The email may go out a moment after the webhook answers, but it must go out.
        var emails = await factory.Email.WaitForAsync(order.Number, TimeSpan.FromSeconds(10));
        var email = Assert.Single(emails);
        Assert.Equal(order.Customer.Email, email.To);
        Assert.Equal($"Order {order.Number} is confirmed", email.Subject);
        Assert.Contains("Total paid:", email.Text);
    }

    [Fact]
    public async Task Order_page_shows_the_payment()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = factory.CreateClient();
        var order = await factory.TakeOrderAwaitingPaymentAsync();
        var response = await client.PostAsJsonAsync("/webhooks/payments", PaymentSucceeded(NewEventId(), order), ct);
        Assert.True(response.IsSuccessStatusCode, $"webhook answered {(int)response.StatusCode}");

        using var page = JsonDocument.Parse(await client.GetStringAsync($"/orders/{order.Number}", ct));
        Assert.Equal("Paid", page.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, page.RootElement.GetProperty("fulfilmentRequests").GetInt32());
    }

    [Fact]
    public async Task Unknown_order_is_404_so_the_provider_alerts_us()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await factory.CreateClient().PostAsJsonAsync("/webhooks/payments", new
        {
            id = NewEventId(),
            type = "payment.succeeded",
            data = new { orderNumber = "ORD-999999", paymentId = "pay_x", amountCents = 1000, currency = "EUR" },
        }, ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Amount_that_does_not_match_the_order_is_rejected_and_nothing_happens()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await factory.TakeOrderAwaitingPaymentAsync();

        var response = await factory.CreateClient().PostAsJsonAsync("/webhooks/payments", PaymentSucceeded(NewEventId(), order, order.TotalCents - 1), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var stored = await factory.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id, ct));
        Assert.Equal(OrderStatus.AwaitingPayment, stored.Status);
        Assert.Equal(0, await factory.WithDbAsync(db => db.FulfilmentRequests.CountAsync(f => f.OrderId == order.Id, ct)));
        await Task.Delay(500, ct);
        Assert.DoesNotContain(factory.Email.Sent, m => m.Subject.Contains(order.Number));
    }

    [Fact]
    public async Task Event_without_an_id_is_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await factory.TakeOrderAwaitingPaymentAsync();
        var response = await factory.CreateClient().PostAsJsonAsync("/webhooks/payments", new
        {
            type = "payment.succeeded",
            data = new { orderNumber = order.Number, paymentId = "pay_x", amountCents = order.TotalCents, currency = order.Currency },
        }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Other_event_types_are_acknowledged_and_ignored()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await factory.TakeOrderAwaitingPaymentAsync();
        var response = await factory.CreateClient().PostAsJsonAsync("/webhooks/payments", new
        {
            id = NewEventId(),
            type = "payment.failed",
            data = new { orderNumber = order.Number, paymentId = "pay_x", amountCents = order.TotalCents, currency = order.Currency },
        }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await factory.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id, ct));
        Assert.Equal(OrderStatus.AwaitingPayment, stored.Status);
    }
}
