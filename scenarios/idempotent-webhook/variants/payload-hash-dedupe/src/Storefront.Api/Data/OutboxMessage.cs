namespace Storefront.Api.Data;

/// <summary>
/// An email we owe a customer. Written in the same transaction as the state change that makes it
/// due, sent later by <see cref="Email.OutboxDispatcher"/>; a row survives crashes and restarts.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public int? OrderId { get; set; }
    public required string Recipient { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? LastError { get; set; }
}
