using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Mail;

/// <summary>How mail leaves the platform. Without <see cref="SmtpHost"/>, messages are written to the
/// log instead (a laptop, a demo, a test), and the command that sent them says so.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>Auto (STARTTLS when offered), None, StartTls or SslOnConnect.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.Auto;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "Assessments <noreply@assessments.local>";

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(SmtpHost);
}

public enum MailSecurity
{
    Auto,
    None,
    StartTls,
    SslOnConnect,
}
