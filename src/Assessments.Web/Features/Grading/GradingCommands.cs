using System.CommandLine;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Jobs;

namespace Assessments.Web.Features.Grading;

/// <summary><c>assess grading enqueue|show</c>: an operator's handle on gradings of stored submissions.</summary>
public static class GradingCommands
{
    public static Command Grading() => new("grading", "Gradings of stored submissions: queue one again, show one.")
    {
        Enqueue(),
        Show(),
    };

    private static Command Enqueue()
    {
        var submission = new Option<Guid>("--submission") { Description = "The submission's id.", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait until a worker has finished it and print its verdict." };
        var command = new Command("enqueue", "Queue a grading of a submission on the grading queue; a worker runs it in the sandbox. Prints the grading's id.") { submission, wait };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(builder => builder.AddJobs().AddGrading(worker: false), cancellationToken);
            using var scope = host.Services.CreateScope();
            Guid id;
            try
            {
                id = await scope.ServiceProvider.GetRequiredService<GradingQueue>().EnqueueAsync(parse.GetValue(submission), "operator (assess grading enqueue)", cancellationToken);
            }
            catch (KeyNotFoundException e)
            {
                throw new CommandException(e.Message);
            }

            Console.WriteLine(id);
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            while (true)
            {
                var run = await db.GradingRuns.AsNoTracking().SingleAsync(r => r.Id == id, cancellationToken);
                if (run.Status is GradingStatus.Completed or GradingStatus.Failed or GradingStatus.Superseded or GradingStatus.Cancelled)
                {
                    Console.WriteLine($"{run.Status.ToString().ToLowerInvariant()}: {run.Verdict?.ToString() ?? "-"} at {run.Stage ?? "-"}");
                    return 0;
                }

                await Task.Delay(1000, cancellationToken);
            }
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<Guid>("id") { Description = "The grading's id." };
        var command = new Command("show", "Print a grading's status, verdict and stored report.") { id };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var run = await db.GradingRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == parse.GetValue(id), cancellationToken)
                ?? throw new CommandException($"no grading {parse.GetValue(id)}");
            Console.WriteLine($"{run.Id} {run.Status.ToString().ToLowerInvariant()} attempt {run.Attempt}: {run.Verdict?.ToString() ?? "-"} at {run.Stage ?? "-"}; image {run.ImageDigest ?? "-"}");
            if (run.Report is not null)
            {
                Console.WriteLine(run.Report);
            }

            return 0;
        }));
        return command;
    }
}
