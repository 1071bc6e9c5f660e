using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>
/// SHALLOW VARIANT (must fail a hidden test): a process-wide lock around check-then-act, with an
/// outbox and no unique index on fulfilment_requests; holds in one process, not across two instances.
/// </summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    OutboxSignal outbox,
    TimeProvider clock,
    ILogger<PaymentConfirmationService> log)
{
    public const string PaymentSucceeded = "payment.succeeded";

    // Concurrent duplicates race between "is it paid?" and "mark it paid": let one delivery at a
    // time through that section so the second one sees the first one's commit.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async Task<PaymentWebhookOutcome> HandleAsync(PaymentEvent evt, CancellationToken ct)
    {
        if (evt.Type != PaymentSucceeded)
        {
            log.LogInformation("Ignoring payment event {EventId} of type {Type}", evt.Id, evt.Type);
            return PaymentWebhookOutcome.Ignored;
        }

        var data = evt.Data!;
        await Gate.WaitAsync(ct);
        try
        {
            var order = await db.Orders
                .Include(o => o.Customer)
                .Include(o => o.Lines)
                .SingleOrDefaultAsync(o => o.Number == data.OrderNumber, ct);
            if (order is null)
            {
                log.LogWarning("Payment event {EventId} refers to unknown order {OrderNumber}", evt.Id, data.OrderNumber);
                return PaymentWebhookOutcome.UnknownOrder;
            }

            if (order.Status == OrderStatus.Paid)
            {
                log.LogInformation("Duplicate delivery {EventId} for order {OrderNumber}: already paid", evt.Id, order.Number);
                return PaymentWebhookOutcome.Processed;
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

            // One SaveChanges is one transaction: the order, the fulfilment request and the email.
            await db.SaveChangesAsync(ct);
            log.LogInformation("Order {OrderNumber} paid ({PaymentId}) by event {EventId}; confirmation email queued",
                order.Number, data.PaymentId, evt.Id);
        }
        finally
        {
            Gate.Release();
        }

        outbox.Notify();
        return PaymentWebhookOutcome.Processed;
    }
}
