using System.Globalization;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Features.Mail;

namespace Assessments.Web.Features.Lifecycle;

/// <summary>The mail that carries an invitation link to a candidate.</summary>
public static class InvitationMail
{
    public static MailMessage Compose(Organisation organisation, Candidate candidate, Assessment assessment, ScenarioManifest manifest, string link)
    {
        var time = (assessment.TimeLimit, assessment.Deadline) switch
        {
            ({ } limit, { } end) => $"You will have {Describe(limit)} from the moment you press Start, and at the latest until {Utc(end)}.",
            ({ } limit, null) => $"You will have {Describe(limit)} from the moment you press Start.",
            (null, { } end) => $"Push your work before {Utc(end)}.",
            _ => "",
        };
        var host = assessment.RepositoryHost == RepositoryHost.GitHub
            ? $"Your repository will be created on GitHub, and your account @{candidate.GitHubLogin} invited to it."
            : "Your repository is hosted by the platform; you get its address and a git token when you start.";
        var body = $"""
            Hello {candidate.Name},

            {organisation.Name} invites you to a hands-on technical assessment: {manifest.Title}.

            {manifest.Summary}

            Open this link to read the brief, and start when you are ready:
            {link}

            {time}
            {host}

            The link is personal: whoever has it can start and submit in your name.
            """;
        return new MailMessage(candidate.Email, candidate.Name, $"{organisation.Name}: technical assessment \"{manifest.Title}\"", body);
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A time allowed, as a candidate reads it: "2 days", "4 hours", "1h 30m".</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.Hours == 0 && span.Minutes == 0 ? $"{span.TotalDays:0} day{(span.TotalDays >= 2 ? "s" : "")}"
        : span.Minutes == 0 ? $"{span.TotalHours:0} hour{(span.TotalHours >= 2 ? "s" : "")}"
        : $"{(int)span.TotalHours}h {span.Minutes:00}m";
}
