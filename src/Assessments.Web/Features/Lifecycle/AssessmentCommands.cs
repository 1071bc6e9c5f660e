using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Submissions;

namespace Assessments.Web.Features.Lifecycle;

/// <summary><c>assess assessment invite|start|list|show|close|extend|token|resend|revoke</c>: everything the pages do to
/// an assessment, for operators and scripts.</summary>
public static partial class AssessmentCommands
{
    private const string Actor = "cli";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static Command Assessment() => new("assessment", "Invite candidates and run their assessments: invite, start, list, show, close, extend, token, resend, revoke.")
    {
        Invite(),
        Start(),
        List(),
        Show(),
        Close(),
        Extend(),
        Token(),
        Resend(),
        Revoke(),
    };

    private static Command Invite()
    {
        var scenario = new Option<string>("--scenario") { Description = "The scenario's id (slug); its newest imported version is assigned.", Required = true };
        var candidate = new Option<string>("--candidate") { Description = "The candidate's email address.", Required = true };
        var name = new Option<string?>("--name") { Description = "The candidate's name (default: the email's local part)." };
        var github = new Option<string?>("--github") { Description = "The candidate's GitHub login, for GitHub-hosted repositories." };
        var repositoryHost = new Option<string?>("--host") { Description = "Where the repository lives: builtin (default) or github." };
        var organisation = new Option<string?>("--org") { Description = "The hiring organisation's slug; needed when there are several." };
        var deadline = new Option<string?>("--deadline") { Description = "A fixed end, ISO 8601 with an offset (2026-12-01T17:00:00Z)." };
        var timeLimit = new Option<string?>("--time-limit") { Description = "Time from start: 4h, 90m, 2d or 01:30:00. With --deadline the earlier end wins." };
        var allowUnverified = new Option<bool>("--allow-unverified")
        {
            Description = "Assign the newest version even though no version is verified on the workers' sandbox image (an admin's override, audited). Without it, the newest verified version is assigned.",
        };
        var json = JsonOption();
        var command = new Command("invite", "Invite a candidate to a scenario; prints the invitation link (shown once).")
        {
            scenario, candidate, name, github, repositoryHost, organisation, deadline, timeLimit, allowUnverified, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var request = new InvitationRequest(
                parse.GetValue(scenario)!,
                parse.GetValue(candidate)!,
                parse.GetValue(name),
                parse.GetValue(github),
                parse.GetValue(organisation),
                parse.GetValue(repositoryHost) is { } h ? ParseHost("--host", h) : null,
                parse.GetValue(deadline) is { } d ? ParseDeadline(d) : null,
                parse.GetValue(timeLimit) is { } t ? ParseDuration("--time-limit", t) : null,
                parse.GetValue(allowUnverified));
            var invitation = await lifecycle.InviteAsync(request, Actor, cancellationToken);
            if (invitation.Unverified)
            {
                Console.Error.WriteLine($"warning: {parse.GetValue(scenario)} is not verified on the workers' sandbox image; invited anyway (--allow-unverified), and audited.");
            }

            Print(parse.GetValue(json), invitation, $"{invitation.AssessmentId}\n{invitation.Link}\n{invitation.Mail}");
        }, cancellationToken));
        return command;
    }

    private static Command Start()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var json = JsonOption();
        var command = new Command("start", "Start an assessment on the candidate's behalf: seeds the repository and prints the clone URL and the git token (shown once).") { id, json };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var started = await lifecycle.StartAsync(parse.GetValue(id), Actor, cancellationToken);
            var deadline = started.Deadline?.ToString("u", CultureInfo.InvariantCulture) ?? "none";
            Print(parse.GetValue(json), started, started.Host == RepositoryHost.GitHub
                ? $"repository: being created on GitHub; @{started.Username} is invited with push access (`assess assessment show {started.AssessmentId}` gives its address)\ndeadline:   {deadline}"
                : $"clone:    git clone {started.CloneUrl}\nuser:     {started.Username}\ntoken:    {started.Token}\ndeadline: {deadline}");
        }, cancellationToken));
        return command;
    }

    private static Command List()
    {
        var json = JsonOption();
        var command = new Command("list", "List assessments, newest first.") { json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var rows = (await db.Assessments.AsNoTracking().Include(a => a.Candidate).Include(a => a.ScenarioVersion).ThenInclude(v => v!.Scenario)
                .OrderByDescending(a => a.InvitedAt).ToListAsync(cancellationToken)).Select(Summary).ToList();
            Print(parse.GetValue(json), rows, string.Join('\n', rows.Select(r => $"{r.Id}  {r.Status,-16} {r.Scenario,-20} {r.Candidate,-32} {r.Deadline?.ToString("u", CultureInfo.InvariantCulture) ?? "-"}")));
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var json = JsonOption();
        var command = new Command("show", "Show an assessment and its submissions.") { id, json };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var assessment = await db.Assessments.AsNoTracking().Include(a => a.Candidate).Include(a => a.ScenarioVersion).ThenInclude(v => v!.Scenario)
                .Include(a => a.Submissions)
                .SingleOrDefaultAsync(a => a.Id == parse.GetValue(id), cancellationToken)
                ?? throw new CommandException($"No assessment {parse.GetValue(id)}.");
            var summary = Summary(assessment);
            var submissions = assessment.Submissions.OrderBy(s => s.ReceivedAt)
                .Select(s => new { s.Id, s.CommitSha, source = s.Source.ToString(), s.ReceivedAt, s.IsFinal }).ToList();
            Print(parse.GetValue(json), new { assessment = summary, host = assessment.RepositoryHost, repository = assessment.RepositoryUrl, github = assessment.ExternalRepositoryFullName, submissions },
                $"{summary.Id}  {summary.Status}  {summary.Scenario}  {summary.Candidate}\nrepository: {assessment.RepositoryUrl ?? (assessment.RepositoryHost == RepositoryHost.GitHub ? $"{assessment.ExternalRepositoryFullName} on GitHub, not provisioned yet" : "-")}\ndeadline:   {summary.Deadline?.ToString("u", CultureInfo.InvariantCulture) ?? "-"}\n"
                + string.Join('\n', submissions.Select(s => $"  {s.CommitSha[..12]} {s.ReceivedAt:u} {s.source}{(s.IsFinal ? " final" : "")}")));
            return 0;
        }));
        return command;
    }

    private static Command Close()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var command = new Command("close", "Close an assessment now, as the candidate's \"I'm done\" would: records what was pushed and makes the newest submission final; the repository then refuses pushes.") { id };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var closed = await lifecycle.CloseAsync(parse.GetValue(id), Actor, "closed by an operator", cancellationToken);
            Console.WriteLine($"{closed.Id} closed at {closed.ClosedAt:u}");
        }, cancellationToken));
        return command;
    }

    private static Command Token()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var json = JsonOption();
        var command = new Command("token", "Issue a new git token for a started assessment on the built-in host (the old one stops working); prints it once.") { id, json };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var issued = await lifecycle.IssueTokenAsync(parse.GetValue(id), Actor, cancellationToken);
            Print(parse.GetValue(json), issued, $"clone: git clone {issued.CloneUrl}\nuser:  {issued.Username}\ntoken: {issued.Token}");
        }, cancellationToken));
        return command;
    }

    private static Command Resend()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var json = JsonOption();
        var command = new Command("resend", "Mail an open invitation again with a new link (the old link stops working); prints the new link once.") { id, json };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var sent = await lifecycle.ResendAsync(parse.GetValue(id), Actor, cancellationToken);
            Print(parse.GetValue(json), sent, $"{sent.AssessmentId}\nlink: {sent.Link}\nmail: {sent.Mail}");
        }, cancellationToken));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var reason = new Option<string>("--reason") { Description = "Why, for the audit log.", Required = true };
        var command = new Command("revoke", "Withdraw an open invitation: the link says it was withdrawn, the git token stops working at once, the repository is kept.") { id, reason };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var revoked = await lifecycle.RevokeAsync(parse.GetValue(id), Actor, parse.GetValue(reason)!, cancellationToken);
            Console.WriteLine($"{revoked.Id} revoked at {revoked.ClosedAt:u}; its repository is kept");
        }, cancellationToken));
        return command;
    }

    private static Command Extend()
    {
        var id = new Argument<Guid>("id") { Description = "The assessment's id." };
        var by = new Option<string>("--by") { Description = "How much longer: 1h, 30m, 1d or 01:00:00.", Required = true };
        var command = new Command("extend", "Give an open assessment more time: moves its deadline and its time limit.") { id, by };
        command.SetAction((parse, cancellationToken) => RunAsync(async lifecycle =>
        {
            var extended = await lifecycle.ExtendAsync(parse.GetValue(id), ParseDuration("--by", parse.GetValue(by)!), Actor, cancellationToken);
            Console.WriteLine($"{extended.Id} ends {extended.EffectiveDeadline?.ToString("u", CultureInfo.InvariantCulture) ?? "once started, after its time limit"}");
        }, cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(Func<AssessmentLifecycle, Task> action, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(builder => builder.AddJobs().AddGrading(worker: false).AddSubmissions().AddGitHub().AddMail().AddPublicUrl(requiredAtStart: false).AddLifecycle(), cancellationToken);
            using var scope = host.Services.CreateScope();
            try
            {
                await action(scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>());
            }
            catch (AssessmentStateException e)
            {
                throw new CommandException(e.Message);
            }

            return 0;
        });

    private sealed record AssessmentSummary(Guid Id, string Status, string Scenario, string Candidate, DateTimeOffset InvitedAt, DateTimeOffset? StartedAt, DateTimeOffset? Deadline, DateTimeOffset? ClosedAt);

    private static AssessmentSummary Summary(Assessment a) =>
        new(a.Id, a.Status.ToString(), a.ScenarioVersion?.Scenario?.Slug ?? "-", a.Candidate?.Email ?? "-", a.InvitedAt, a.StartedAt, a.EffectiveDeadline ?? a.Deadline, a.ClosedAt);

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    private static void Print(bool json, object value, string text) =>
        Console.WriteLine(json ? JsonSerializer.Serialize(value, Json) : text);

    /// <summary>builtin or github, in any case.</summary>
    internal static RepositoryHost ParseHost(string option, string text) => text.ToLowerInvariant() switch
    {
        "builtin" => RepositoryHost.BuiltIn,
        "github" => RepositoryHost.GitHub,
        _ => throw new CommandException($"{option} '{text}' is neither builtin nor github."),
    };

    private static DateTimeOffset ParseDeadline(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value) && (text.EndsWith('Z') || OffsetPattern().IsMatch(text))
            ? value
            : throw new CommandException($"--deadline '{text}' is not an ISO 8601 time with an offset, e.g. 2026-12-01T17:00:00Z.");

    /// <summary>4h, 90m, 2d, 45s or a TimeSpan (01:30:00).</summary>
    public static TimeSpan ParseDuration(string option, string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch
            {
                "d" => TimeSpan.FromDays(amount),
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)
            ? span
            : throw new CommandException($"{option} '{text}' is not a duration: write 4h, 90m, 2d or 01:30:00.");
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([dhms])$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"[+-]\d\d:?\d\d$")]
    private static partial Regex OffsetPattern();
}
