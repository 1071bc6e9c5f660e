namespace Storefront.Api.Data;

/// <summary>Every provider event id we have acted on; the primary key makes the first writer win.</summary>
public class ProcessedDelivery
{
    public required string EventId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A confirmation email to send; written in the webhook's transaction.</summary>
public class PendingEmail
{
    public long Id { get; set; }
    public required string Recipient { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}
