using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Email;

/// <summary>
/// Polls pending_emails twice a second and sends what is due; a failure is retried 2 s later. Every
/// instance runs one: a row is claimed by pushing its next_attempt_at 15 s ahead (longer than the
/// email timeout) in a conditional update, so only one instance sends it; a sender that dies after
/// claiming leaves the row due again 15 s later.
/// </summary>
public class PendingEmailSender(IServiceScopeFactory scopes, ILogger<PendingEmailSender> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        do
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(e, "Sending pending emails failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result));
    }

    private async Task SendDueAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var email = scope.ServiceProvider.GetRequiredService<EmailClient>();

        var now = DateTimeOffset.UtcNow;
        var due = await db.PendingEmails
            .Where(m => m.SentAt == null && m.NextAttemptAt <= now)
            .OrderBy(m => m.Id)
            .Take(10)
            .ToListAsync(ct);

        foreach (var m in due)
        {
            var claimed = await db.PendingEmails
                .Where(x => x.Id == m.Id && x.SentAt == null && x.NextAttemptAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextAttemptAt, DateTimeOffset.UtcNow.AddSeconds(15)), ct);
            if (claimed == 0)
                continue; // the other instance got it first

            try
            {
                await email.SendAsync(new EmailMessage(m.Recipient, m.Subject, m.Body), ct);
                await db.PendingEmails.Where(x => x.Id == m.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.SentAt, DateTimeOffset.UtcNow), CancellationToken.None);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("Pending email {Id} failed: {Error}", m.Id, e.Message);
                await db.PendingEmails.Where(x => x.Id == m.Id)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                        .SetProperty(x => x.NextAttemptAt, DateTimeOffset.UtcNow.AddSeconds(2)), CancellationToken.None);
            }
        }
    }
}
