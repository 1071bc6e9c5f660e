using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>
/// SHALLOW VARIANT (must fail a hidden test): dedupes deliveries on a SHA-256 of the raw body
/// (primary key, ON CONFLICT DO NOTHING, in the transaction) with an outbox; a retry that is
/// serialised differently, or a payment re-issued under a new event id, hashes differently.
/// </summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    OutboxSignal outbox,
    TimeProvider clock,
    ILogger<PaymentConfirmationService> log)
{
    public const string PaymentSucceeded = "payment.succeeded";

    public async Task<PaymentWebhookOutcome> HandleAsync(PaymentEvent evt, string rawBody, CancellationToken ct)
    {
        if (evt.Type != PaymentSucceeded)
        {
            log.LogInformation("Ignoring payment event {EventId} of type {Type}", evt.Id, evt.Type);
            return PaymentWebhookOutcome.Ignored;
        }

        // A retry is the same delivery sent again, so the body's hash identifies it; the primary key
        // makes a concurrent duplicate wait for the first one and then insert nothing.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawBody)));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var firstTime = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO processed_webhooks (body_sha256, event_id, received_at) VALUES ({hash}, {evt.Id}, now()) ON CONFLICT DO NOTHING", ct);
        if (firstTime == 0)
        {
            log.LogInformation("Delivery {EventId} ({Hash}) was already processed", evt.Id, hash);
            return PaymentWebhookOutcome.Processed;
        }

        var data = evt.Data!;
        var order = await db.Orders
            .Include(o => o.Customer)
            .Include(o => o.Lines)
            .SingleOrDefaultAsync(o => o.Number == data.OrderNumber, ct);
        if (order is null)
        {
            log.LogWarning("Payment event {EventId} refers to unknown order {OrderNumber}", evt.Id, data.OrderNumber);
            return PaymentWebhookOutcome.UnknownOrder; // rolled back: a retry is evaluated again
        }

        if (order.TotalCents != data.AmountCents || !string.Equals(order.Currency, data.Currency, StringComparison.OrdinalIgnoreCase))
        {
            log.LogWarning("Payment event {EventId} for {OrderNumber}: paid {Amount} {Currency}, order total is {Total} {OrderCurrency}",
                evt.Id, order.Number, data.AmountCents, data.Currency, order.TotalCents, order.Currency);
            return PaymentWebhookOutcome.AmountMismatch;
        }

        var now = clock.GetUtcNow();
        order.Status = OrderStatus.Paid;
        order.PaidAt = now;
        order.PaymentReference = data.PaymentId;
        db.FulfilmentRequests.Add(new FulfilmentRequest { OrderId = order.Id, Status = "Requested", RequestedAt = now });

        var email = OrderConfirmationEmail.For(order);
        db.OutboxMessages.Add(new OutboxMessage
        {
            Kind = "order-confirmation",
            OrderId = order.Id,
            Recipient = email.To,
            Subject = email.Subject,
            Body = email.Text,
            CreatedAt = now,
            NextAttemptAt = now,
        });

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outbox.Notify();

        log.LogInformation("Order {OrderNumber} paid ({PaymentId}) by event {EventId}; confirmation email queued",
            order.Number, data.PaymentId, evt.Id);
        return PaymentWebhookOutcome.Processed;
    }
}
