namespace Storefront.Api.Payments;

/// <summary>
/// A webhook delivery from the payment provider. <see cref="Id"/> identifies the event; the
/// provider sends the same id again when it retries a delivery (it retries on any non-2xx answer
/// or when it does not get an answer within 10 seconds, and sometimes simply twice).
/// </summary>
public record PaymentEvent(string? Id, string? Type, DateTimeOffset? CreatedAt, PaymentEventData? Data);

public record PaymentEventData(string? OrderNumber, string? PaymentId, long? AmountCents, string? Currency);

public enum PaymentWebhookOutcome
{
    Processed,
    Ignored,
    UnknownOrder,
    AmountMismatch,
}
