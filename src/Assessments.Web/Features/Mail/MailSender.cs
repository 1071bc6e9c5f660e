using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Assessments.Web.Features.Mail;

/// <summary>A plain-text message to one person.</summary>
public sealed record MailMessage(string To, string? ToName, string Subject, string Body);

/// <summary>Sends mail; which sender is used depends on configuration (<see cref="MailOptions"/>).</summary>
public interface IMailSender
{
    /// <summary>Where messages go, for whoever sent one: "smtp.example.com:587" or "the log".</summary>
    string Destination { get; }

    Task SendAsync(MailMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends through an SMTP server with MailKit.</summary>
public sealed class SmtpMailSender(IOptions<MailOptions> options) : IMailSender
{
    public string Destination => $"{options.Value.SmtpHost}:{options.Value.SmtpPort}";

    public async Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.From));
        mime.To.Add(new MailboxAddress(message.ToName ?? "", message.To));
        mime.Subject = message.Subject;
        mime.Body = new TextPart("plain") { Text = message.Body };

        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, settings.Security switch
        {
            MailSecurity.None => SecureSocketOptions.None,
            MailSecurity.StartTls => SecureSocketOptions.StartTls,
            MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, cancellationToken);
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>Writes messages to the log: no SMTP server is configured.</summary>
public sealed class LogMailSender(ILogger<LogMailSender> logger) : IMailSender
{
    public string Destination => "the log (no Mail:SmtpHost is configured)";

    public Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        logger.LogInformation("Mail to {To} (not sent: no SMTP server is configured)\nSubject: {Subject}\n\n{Body}", message.To, message.Subject, message.Body);
        return Task.CompletedTask;
    }
}
