using static Storefront.Hidden.Grader;

namespace Storefront.Hidden;

/// <summary>
/// Phase before-restart leaves one delivery fully processed (slot 4) and one with its email pending
/// because the provider rejects it (slot 5). The host then kills the service (SIGKILL) and starts it
/// again; phase after-restart lets the provider recover and checks nothing was lost or repeated.
/// The email fake keeps its state across phases.
/// </summary>
public class RestartTests
{
    private const int ProcessedSlot = 4;
    private const int PendingSlot = 5;

    private static string EventIdFor(string orderNumber) => $"evt_hidden_restart_{orderNumber}";

    [Fact]
    [Trait("Phase", "before-restart")]
    public async Task DeliveriesAreAcceptedBeforeRestart()
    {
        var processed = await FreshOrderAsync(ProcessedSlot);
        var first = await DeliverAsync(PaymentSucceeded(EventIdFor(processed.Number), processed));
        Check(first.Ok, $"webhook answered {first} for {processed.Number} before the restart; expected 2xx");
        var emails = await SettledEmailCountAsync(processed.Number, TimeSpan.FromSeconds(10));
        Check(emails == 1, $"{emails} confirmation emails for {processed.Number} before the restart; expected exactly 1");

        var pending = await FreshOrderAsync(PendingSlot);
        await FailEmailsAsync(match: pending.Number, status: 503); // until phase after-restart clears it
        var second = await DeliverAsync(PaymentSucceeded(EventIdFor(pending.Number), pending));
        Check(second.Ok,
            $"webhook answered {second} for {pending.Number} while the email provider was down, before the restart; expected 2xx");
        Check(second.Elapsed < TimeSpan.FromSeconds(2),
            $"webhook took {second.Elapsed.TotalMilliseconds:0} ms for {pending.Number} while the email provider was down, before the restart; expected under 2 s");
    }

    [Fact]
    [Trait("Phase", "after-restart")]
    public async Task PendingEmailIsSentOnceAfterRestart()
    {
        var number = OrderForSlot(PendingSlot);
        await ClearEmailFailuresAsync(number);

        var emails = await SettledEmailCountAsync(number, TimeSpan.FromSeconds(30));
        Check(emails != 0,
            $"email lost across the restart: no confirmation email for {number} within 30 s after the service restarted and the email provider recovered");
        Check(emails == 1, $"{emails} confirmation emails for {number} after the restart; expected exactly 1");
        var fulfilments = await FulfilmentCountAsync(number);
        Check(fulfilments == 1, $"{fulfilments} fulfilment requests for {number} after the restart; expected exactly 1");
    }

    [Fact]
    [Trait("Phase", "after-restart")]
    public async Task DeliveryRetriedAfterRestartIsStillIgnored()
    {
        var order = await GetOrderAsync(OrderForSlot(ProcessedSlot));
        var before = await EmailCountAsync(order.Number);
        if (before != 1)
            throw new InvalidOperationException(
                $"grader setup: expected the confirmation email for {order.Number} from phase before-restart, found {before}");

        var retry = await DeliverAsync(PaymentSucceeded(EventIdFor(order.Number), order));
        Check(retry.Ok, $"the provider's retry of an already processed delivery for {order.Number} answered {retry} after the restart; expected 2xx");

        await Task.Delay(Settle);
        var emails = await EmailCountAsync(order.Number);
        Check(emails == 1, $"{emails} confirmation emails for {order.Number} after its delivery was retried across a restart; expected exactly 1");
        var fulfilments = await FulfilmentCountAsync(order.Number);
        Check(fulfilments == 1, $"{fulfilments} fulfilment requests for {order.Number} after its delivery was retried across a restart; expected exactly 1");
    }
}
