using System.CommandLine;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Jobs;

namespace Assessments.Web.Features.Verification;

/// <summary><c>assess verification queue|list</c>: what "Verify now" and the library page do, for
/// operators and scripts. <c>assess scenario verify</c> stays the author's tool on a folder; these
/// verify what was imported, on the workers, and store the outcome invitations check.</summary>
public static class VerificationCommands
{
    private const int NotVerified = 1;

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    public static Command Verification() => new("verification", "Verify imported scenario versions on the workers, in the sandbox: queue, list.")
    {
        Queue(),
        List(),
    };

    private static Argument<string> ScenarioArgument() => new("scenario") { Description = "The scenario's id (slug)." };

    private static Option<string?> OrganisationOption() => new("--org")
    {
        Description = "The organisation whose own scenario this is; leave out for the built-in library's.",
    };

    private static Command Queue()
    {
        var scenario = ScenarioArgument();
        var organisation = OrganisationOption();
        var wait = new Option<bool>("--wait") { Description = "Wait for the outcome; exit code 1 when the version did not verify." };
        var command = new Command("queue", "Queue the verification of the scenario's newest imported version on the workers' grading queue (one at a time per version: asking again returns the one waiting).")
        {
            scenario, organisation, wait,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(builder => builder.AddJobs().AddVerification(worker: false), cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var version = await NewestVersionAsync(db, parse.GetRequiredValue(scenario), parse.GetValue(organisation), cancellationToken);
            var (verification, isNew) = await scope.ServiceProvider.GetRequiredService<VerificationQueue>().QueueAsync(version.Id, "cli", cancellationToken);
            Console.WriteLine($"{verification.Id} {verification.Status.Describe()}{(isNew ? "" : " already")}: {version.Scenario!.Slug} {version.Label} ({version.ContentHash[..12]}) on the workers' grading queue");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            while (true)
            {
                await Task.Delay(Poll, cancellationToken);
                var now = await db.ScenarioVerifications.AsNoTracking().SingleAsync(v => v.Id == verification.Id, cancellationToken);
                if (now.IsFinished)
                {
                    Console.WriteLine($"{now.Id} {now.Status.Describe()} on image {now.ImageId ?? "-"}{(now.Error is { } error ? $": {error}" : "")}");
                    foreach (var problem in now.Problems)
                    {
                        Console.WriteLine($"  {problem}");
                    }

                    return now.Status == ScenarioVerificationStatus.Verified ? 0 : NotVerified;
                }
            }
        }));
        return command;
    }

    private static Command List()
    {
        var scenario = ScenarioArgument();
        var organisation = OrganisationOption();
        var command = new Command("list", "List the scenario's imported versions, newest first, with where each stands on the workers' current sandbox image.")
        {
            scenario, organisation,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var newest = await NewestVersionAsync(db, parse.GetRequiredValue(scenario), parse.GetValue(organisation), cancellationToken);
            var versions = await db.ScenarioVersions.AsNoTracking().Where(v => v.ScenarioId == newest.ScenarioId)
                .OrderByDescending(v => v.CreatedAt).ToListAsync(cancellationToken);
            var image = await db.CurrentSandboxImageAsync(cancellationToken);
            Console.WriteLine($"current sandbox image: {(image is null ? "none reported yet (start a worker)" : $"{image.Name} {VersionVerificationState.ShortImage(image.ImageId)}")}");
            Console.WriteLine($"{"VERSION",-8} {"HASH",-12}  {"IMPORTED",-20} STATE");
            foreach (var version in versions)
            {
                var state = await db.VerificationStateAsync(version.Id, cancellationToken);
                var word = state.IsUsable ? $"verified {state.Verified!.FinishedAt:yyyy-MM-dd HH:mm}Z"
                    : state.Latest is { } latest ? $"{latest.Status.Describe()} on {VersionVerificationState.ShortImage(latest.ImageId)}{(latest.IsFinished ? $" {latest.FinishedAt:yyyy-MM-dd HH:mm}Z" : "")}"
                    : "never verified";
                Console.WriteLine($"{version.Label,-8} {version.ContentHash[..12]}  {version.CreatedAt.UtcDateTime,-20:yyyy-MM-dd HH:mm} {word}");
            }

            return 0;
        }));
        return command;
    }

    private static async Task<ScenarioVersion> NewestVersionAsync(AssessmentsDbContext db, string slug, string? organisation, CancellationToken cancellationToken)
    {
        var versions = db.ScenarioVersions.Include(v => v.Scenario).Where(v => v.Scenario!.Slug == slug);
        versions = organisation is null
            ? versions.Where(v => v.Scenario!.OrganisationId == null)
            : versions.Where(v => v.Scenario!.Organisation!.Slug == organisation);
        return await versions.OrderByDescending(v => v.CreatedAt).FirstOrDefaultAsync(cancellationToken)
            ?? throw new CommandException(organisation is null
                ? $"no scenario '{slug}' in the built-in library: `assess scenario import` it first (an organisation's own scenario needs --org)"
                : $"no scenario '{slug}' of organisation {organisation}");
    }
}
