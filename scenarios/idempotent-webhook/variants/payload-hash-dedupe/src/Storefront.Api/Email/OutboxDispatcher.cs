using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Storefront.Api.Data;

namespace Storefront.Api.Email;

public class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often to look for due messages when nobody signals new ones.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; set; } = 20;

    /// <summary>Retry backoff doubles from one second up to this cap.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Wakes the dispatcher right after a transaction that wrote outbox rows committed.</summary>
public class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Sends the emails in outbox_messages. Rows are claimed with FOR UPDATE SKIP LOCKED, so several
/// instances of the service can run side by side without sending a message twice; a failed send
/// is retried with capped exponential backoff. Delivery to the provider is at-least-once: a crash
/// between the provider's 2xx and our commit resends that one message.
/// </summary>
public class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("Outbox dispatcher started");
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await DispatchBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogError(e, "Outbox dispatch round failed; retrying after the poll interval");
            }

            if (claimed == 0)
            {
                try { await signal.WaitAsync(options.Value.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var email = scope.ServiceProvider.GetRequiredService<EmailClient>();
        var o = options.Value;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = await db.OutboxMessages
            .FromSql($"""
                SELECT * FROM outbox_messages
                WHERE sent_at IS NULL AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id
                LIMIT {o.BatchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (batch.Count == 0)
            return 0;

        foreach (var message in batch)
        {
            try
            {
                await email.SendAsync(new EmailMessage(message.Recipient, message.Subject, message.Body), ct);
                message.SentAt = clock.GetUtcNow();
                message.LastError = null;
            }
            catch (Exception e) when (e is EmailProviderException or HttpRequestException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                message.Attempts++;
                var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, message.Attempts - 1), o.MaxBackoff.TotalSeconds));
                message.NextAttemptAt = clock.GetUtcNow() + delay;
                message.LastError = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
                log.LogWarning("Email {MessageId} '{Subject}' failed (attempt {Attempts}): {Error}; next try in {Delay}",
                    message.Id, message.Subject, message.Attempts, e.Message, delay);
            }
        }

        // Do not let shutdown cancel the bookkeeping of sends that already happened.
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return batch.Count;
    }
}
