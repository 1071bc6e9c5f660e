namespace Storefront.Api.Data;

/// <summary>A webhook body we have acted on, by its SHA-256: a retried delivery has the same hash.</summary>
public class ProcessedWebhook
{
    public required string BodySha256 { get; set; }
    public string? EventId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
