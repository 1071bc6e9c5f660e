using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>
/// VALID VARIANT (inbox + pending-email table): the event id is inserted into processed_deliveries
/// with ON CONFLICT DO NOTHING inside the same transaction as the order update, the fulfilment
/// request and the pending email; a duplicate (even a concurrent one, which waits on the primary
/// key) inserts nothing and does nothing. A re-issued payment (new event id) gets past the inbox
/// and is stopped by the order's conditional AwaitingPayment -> Paid transition.
/// </summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    TimeProvider clock,
    ILogger<PaymentConfirmationService> log)
{
    public const string PaymentSucceeded = "payment.succeeded";

    public async Task<PaymentWebhookOutcome> HandleAsync(PaymentEvent evt, CancellationToken ct)
    {
        if (evt.Type != PaymentSucceeded)
        {
            log.LogInformation("Ignoring payment event {EventId} of type {Type}", evt.Id, evt.Type);
            return PaymentWebhookOutcome.Ignored;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var firstTime = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO processed_deliveries (event_id, received_at) VALUES ({evt.Id}, now()) ON CONFLICT DO NOTHING", ct);
        if (firstTime == 0)
        {
            log.LogInformation("Delivery {EventId} was already processed", evt.Id);
            return PaymentWebhookOutcome.Processed;
        }

        var data = evt.Data!;
        var order = await db.Orders
            .Include(o => o.Customer)
            .Include(o => o.Lines)
            .SingleOrDefaultAsync(o => o.Number == data.OrderNumber, ct);
        if (order is null)
            return PaymentWebhookOutcome.UnknownOrder; // rolled back: the provider may retry

        if (order.TotalCents != data.AmountCents || !string.Equals(order.Currency, data.Currency, StringComparison.OrdinalIgnoreCase))
            return PaymentWebhookOutcome.AmountMismatch;

        // Only the delivery that moves the order out of AwaitingPayment acts; a concurrent one waits
        // for its row lock and then matches nothing.
        var now = clock.GetUtcNow();
        var paid = await db.Orders
            .Where(o => o.Id == order.Id && o.Status == OrderStatus.AwaitingPayment)
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, OrderStatus.Paid)
                .SetProperty(o => o.PaidAt, now)
                .SetProperty(o => o.PaymentReference, data.PaymentId), ct);
        if (paid == 0)
        {
            await tx.CommitAsync(ct);
            log.LogInformation("Order {OrderNumber} was already paid; event {EventId} ({PaymentId}) changes nothing",
                order.Number, evt.Id, data.PaymentId);
            return PaymentWebhookOutcome.Processed;
        }

        db.FulfilmentRequests.Add(new FulfilmentRequest { OrderId = order.Id, Status = "Requested", RequestedAt = now });
        var email = OrderConfirmationEmail.For(order);
        db.PendingEmails.Add(new PendingEmail
        {
            Recipient = email.To, Subject = email.Subject, Body = email.Text, CreatedAt = now, NextAttemptAt = now,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Order {OrderNumber} paid by {EventId}; confirmation email queued", order.Number, evt.Id);
        return PaymentWebhookOutcome.Processed;
    }
}
