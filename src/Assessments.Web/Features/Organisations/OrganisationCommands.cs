using System.CommandLine;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Lifecycle;

namespace Assessments.Web.Features.Organisations;

/// <summary><c>assess organisation set</c>: where an organisation's candidate repositories live.</summary>
public static class OrganisationCommands
{
    public static Command Organisation() => new("organisation", "Settings of a hiring organisation.")
    {
        Set(),
    };

    private static Command Set()
    {
        var slug = new Argument<string>("slug") { Description = "The organisation's slug." };
        var defaultHost = new Option<string?>("--default-host") { Description = "Where candidates' repositories live unless an invitation says otherwise: builtin or github." };
        var githubOrganisation = new Option<string?>("--github-org") { Description = "The GitHub organisation that holds the candidate and template repositories." };
        var command = new Command("set", "Change an organisation's repository settings; prints them.") { slug, defaultHost, githubOrganisation };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Slug == parse.GetValue(slug), cancellationToken)
                ?? throw new CommandException($"No organisation '{parse.GetValue(slug)}'.");
            if (parse.GetValue(githubOrganisation) is { } login)
            {
                organisation.GitHubOrganisation = GitHubLogin.IsValid(login)
                    ? login
                    : throw new CommandException($"--github-org '{login}' is not a GitHub organisation name.");
            }

            if (parse.GetValue(defaultHost) is { } text)
            {
                var chosen = AssessmentCommands.ParseHost("--default-host", text);
                organisation.DefaultRepositoryHost = chosen != RepositoryHost.GitHub || organisation.GitHubOrganisation is not null
                    ? chosen
                    : throw new CommandException("--default-host github needs the organisation's GitHub organisation: add --github-org LOGIN.");
            }

            db.AuditEvents.Add(AuditEvent.About(organisation, "cli", "organisation.settings-changed", new { defaultHost = organisation.DefaultRepositoryHost.ToString(), githubOrganisation = organisation.GitHubOrganisation }));
            await db.SaveChangesAsync(cancellationToken);
            Console.WriteLine($"{organisation.Slug}: default host {organisation.DefaultRepositoryHost}, GitHub organisation {organisation.GitHubOrganisation ?? "-"}");
            return 0;
        }));
        return command;
    }
}
