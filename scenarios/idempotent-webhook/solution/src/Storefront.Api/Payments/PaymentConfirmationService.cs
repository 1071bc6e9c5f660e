using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>
/// Turns a successful payment into a paid order, a fulfilment request and a queued confirmation
/// email, exactly once per order however often (and however concurrently) the provider delivers it.
/// </summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    OutboxSignal outbox,
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

        var data = evt.Data!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // Serialise every delivery for the same order on its row: a concurrent duplicate waits here
        // until the first one commits, then sees the order as paid.
        var locked = await db.Database
            .SqlQuery<int>($"SELECT id AS \"Value\" FROM orders WHERE number = {data.OrderNumber} FOR UPDATE")
            .ToListAsync(ct);
        if (locked.Count == 0)
        {
            log.LogWarning("Payment event {EventId} refers to unknown order {OrderNumber}", evt.Id, data.OrderNumber);
            return PaymentWebhookOutcome.UnknownOrder;
        }

        var order = await db.Orders
            .Include(o => o.Customer)
            .Include(o => o.Lines)
            .SingleAsync(o => o.Id == locked[0], ct);

        if (order.Status == OrderStatus.Paid)
        {
            if (order.PaymentReference == data.PaymentId)
                log.LogInformation("Duplicate delivery {EventId} for order {OrderNumber}: already processed", evt.Id, order.Number);
            else
                log.LogWarning("Order {OrderNumber} is already paid by {Existing}, event {EventId} reports payment {PaymentId}: needs a refund review",
                    order.Number, order.PaymentReference, evt.Id, data.PaymentId);
            return PaymentWebhookOutcome.AlreadyProcessed;
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

        log.LogInformation("Order {OrderNumber} paid ({PaymentId}) by event {EventId}; fulfilment requested, confirmation email queued",
            order.Number, data.PaymentId, evt.Id);
        return PaymentWebhookOutcome.Processed;
    }
}
