using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Assessments.Web.Features.Mail;

/// <summary>How mail leaves the platform. Without <see cref="SmtpHost"/>, messages are written to the
/// log instead (a laptop, a demo, a test), and the command that sent them says so.</summary>
public sealed class MailOptions : IValidatableObject
{
    public const string Section = "Mail";

    public string? SmtpHost { get; set; }

    [Range(1, 65535, ErrorMessage = "Mail:SmtpPort must be between 1 and 65535: set Mail__SmtpPort")]
    public int SmtpPort { get; set; } = 587;

    /// <summary>Auto (STARTTLS when offered), None, StartTls or SslOnConnect.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.Auto;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required(ErrorMessage = "Mail:From is empty: set Mail__From to e.g. Assessments <noreply@example.com>")]
    public string From { get; set; } = "Assessments <noreply@assessments.local>";

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(SmtpHost);

    /// <summary>Checked at start in every process; the sender's address only where mail is sent
    /// (with <see cref="SmtpHost"/>): without it nothing reads it.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesSmtp && !string.IsNullOrWhiteSpace(From) && !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult(
                $"Mail:From '{From}' is not a mail address: set Mail__From to e.g. Assessments <noreply@example.com>");
        }
    }
}

public enum MailSecurity
{
    Auto,
    None,
    StartTls,
    SslOnConnect,
}
