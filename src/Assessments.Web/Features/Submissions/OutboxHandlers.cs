using System.Text.Json;
using Hangfire;

namespace Assessments.Web.Features.Submissions;

/// <summary>Turns one kind of outbox message into its job. Registered by the feature that owns the
/// kind (GitHub provisioning, say), so the dispatcher knows no feature above it (decision 015).</summary>
public interface IOutboxHandler
{
    /// <summary>The <see cref="OutboxMessage.Kind"/> this handles.</summary>
    string Kind { get; }

    /// <summary>Enqueues the message's job; throws <see cref="UndeliverableMessageException"/>
    /// when nothing a retry would change can make it work (an empty payload).</summary>
    void Handle(OutboxMessage message, IBackgroundJobClient jobs);
}

/// <summary>A message the dispatcher sets aside with this reason instead of trying it again.</summary>
public sealed class UndeliverableMessageException(string message) : Exception(message)
{
    /// <summary>The message's payload as <typeparamref name="T"/>, or this exception when it is empty
    /// or not JSON.</summary>
    public static T Read<T>(OutboxMessage message)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(message.Payload) ?? throw new UndeliverableMessageException($"payload '{message.Payload}' is empty");
        }
        catch (JsonException e)
        {
            throw new UndeliverableMessageException($"payload '{message.Payload}' is not {typeof(T).Name}: {e.Message}");
        }
    }
}
