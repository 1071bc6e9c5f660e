using System.Text.Json;

namespace Storefront.Api.Payments;

public static class PaymentWebhookEndpoints
{
    public static IEndpointRouteBuilder MapPaymentWebhooks(this IEndpointRouteBuilder app)
    {
        // The raw body is read first: its hash is the idempotency key of the delivery.
        app.MapPost("/webhooks/payments", async (HttpRequest request, PaymentConfirmationService service, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            PaymentEvent? evt;
            try { evt = JsonSerializer.Deserialize<PaymentEvent>(body, JsonSerializerOptions.Web); }
            catch (JsonException) { evt = null; }

            var problems = Validate(evt);
            if (problems.Count > 0)
                return Results.ValidationProblem(problems);

            var outcome = await service.HandleAsync(evt!, body, ct);
            return outcome switch
            {
                PaymentWebhookOutcome.Processed => Results.Ok(new { eventId = evt!.Id, status = "processed" }),
                PaymentWebhookOutcome.Ignored => Results.Ok(new { eventId = evt!.Id, status = "ignored" }),
                PaymentWebhookOutcome.UnknownOrder => Results.Problem(
                    statusCode: StatusCodes.Status404NotFound, title: "Unknown order",
                    detail: $"No order {evt!.Data!.OrderNumber}"),
                PaymentWebhookOutcome.AmountMismatch => Results.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Amount does not match the order total",
                    detail: $"Order {evt!.Data!.OrderNumber}: paid {evt.Data.AmountCents} {evt.Data.Currency}"),
                _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
            };
        });
        return app;
    }

    private static Dictionary<string, string[]> Validate(PaymentEvent? evt)
    {
        var problems = new Dictionary<string, string[]>();
        if (evt is null)
        {
            problems["body"] = ["A JSON payment event is required."];
            return problems;
        }
        if (string.IsNullOrWhiteSpace(evt.Id)) problems["id"] = ["The event id is required."];
        if (string.IsNullOrWhiteSpace(evt.Type)) problems["type"] = ["The event type is required."];
        if (evt.Type == PaymentConfirmationService.PaymentSucceeded)
        {
            if (evt.Data is null) problems["data"] = ["A payment.succeeded event carries data."];
            else
            {
                if (string.IsNullOrWhiteSpace(evt.Data.OrderNumber)) problems["data.orderNumber"] = ["The order number is required."];
                if (evt.Data.AmountCents is null or <= 0) problems["data.amountCents"] = ["A positive amount is required."];
                if (string.IsNullOrWhiteSpace(evt.Data.Currency)) problems["data.currency"] = ["The currency is required."];
            }
        }
        return problems;
    }
}
