using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>Turns a successful payment into a paid order, a fulfilment request and a confirmation email.</summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    EmailClient email,
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
        var order = await db.Orders
            .Include(o => o.Customer)
            .Include(o => o.Lines)
            .SingleOrDefaultAsync(o => o.Number == data.OrderNumber, ct);
        if (order is null)
        {
            log.LogWarning("Payment event {EventId} refers to unknown order {OrderNumber}", evt.Id, data.OrderNumber);
            return PaymentWebhookOutcome.UnknownOrder;
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
        await db.SaveChangesAsync(ct);
        log.LogInformation("Order {OrderNumber} paid ({PaymentId}); fulfilment requested", order.Number, data.PaymentId);

        await email.SendAsync(OrderConfirmationEmail.For(order), ct);
        log.LogInformation("Confirmation email sent for order {OrderNumber}", order.Number);

        return PaymentWebhookOutcome.Processed;
    }
}
