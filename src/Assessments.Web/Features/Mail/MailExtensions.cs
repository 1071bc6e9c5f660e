namespace Assessments.Web.Features.Mail;

public static class MailExtensions
{
    /// <summary>The mail sender: SMTP when <c>Mail:SmtpHost</c> is set, the log otherwise.</summary>
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MailOptions>(MailOptions.Section);
        builder.Services.AddSingleton<SmtpMailSender>();
        builder.Services.AddSingleton<LogMailSender>();
        builder.Services.AddSingleton<IMailSender>(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value.UsesSmtp
            ? sp.GetRequiredService<SmtpMailSender>()
            : sp.GetRequiredService<LogMailSender>());
        return builder;
    }
}
