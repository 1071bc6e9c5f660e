using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;

namespace Storefront.Api.Payments;

/// <summary>
/// SHALLOW VARIANT (must fail a hidden test): remembers processed event ids in memory and retries
/// the email in a background task. Both live only as long as the process: a restart forgets the
/// pending email and the processed ids.
/// </summary>
public class PaymentConfirmationService(
    ShopDbContext db,
    EmailClient email,
    TimeProvider clock,
    ILogger<PaymentConfirmationService> log)
{
    public const string PaymentSucceeded = "payment.succeeded";

    private static readonly ConcurrentDictionary<string, byte> Processed = new();

    public async Task<PaymentWebhookOutcome> HandleAsync(PaymentEvent evt, CancellationToken ct)
    {
        if (evt.Type != PaymentSucceeded)
        {
            log.LogInformation("Ignoring payment event {EventId} of type {Type}", evt.Id, evt.Type);
            return PaymentWebhookOutcome.Ignored;
        }

        if (!Processed.TryAdd(evt.Id!, 0))
        {
            log.LogInformation("Duplicate delivery {EventId} ignored", evt.Id);
            return PaymentWebhookOutcome.Processed;
        }

        try
        {
            var data = evt.Data!;
            var order = await db.Orders
                .Include(o => o.Customer)
                .Include(o => o.Lines)
                .SingleOrDefaultAsync(o => o.Number == data.OrderNumber, ct);
            if (order is null)
            {
                Processed.TryRemove(evt.Id!, out _);
                return PaymentWebhookOutcome.UnknownOrder;
            }

            if (order.TotalCents != data.AmountCents || !string.Equals(order.Currency, data.Currency, StringComparison.OrdinalIgnoreCase))
            {
                Processed.TryRemove(evt.Id!, out _);
                return PaymentWebhookOutcome.AmountMismatch;
            }

            var now = clock.GetUtcNow();
            order.Status = OrderStatus.Paid;
            order.PaidAt = now;
            order.PaymentReference = data.PaymentId;
            db.FulfilmentRequests.Add(new FulfilmentRequest { OrderId = order.Id, Status = "Requested", RequestedAt = now });
            await db.SaveChangesAsync(ct);

            var message = OrderConfirmationEmail.For(order);
            _ = Task.Run(async () =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await email.SendAsync(message, CancellationToken.None);
                        return;
                    }
                    catch (Exception e)
                    {
                        log.LogWarning("Email for {OrderNumber} failed (attempt {Attempt}): {Error}", order.Number, attempt, e.Message);
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
                    }
                }
            });
            return PaymentWebhookOutcome.Processed;
        }
        catch
        {
            Processed.TryRemove(evt.Id!, out _);
            throw;
        }
    }
}
