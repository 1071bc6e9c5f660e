using System.Diagnostics;
using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>"Does this push count", once for both hosts; and the pre-receive hook, given the
/// policy's environment, refuses exactly what the policy refuses, with its words.</summary>
public sealed class PushPolicyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly GitClient _git = new();

    private static Assessment Started(DateTimeOffset? deadline = null) =>
        new() { Slug = "ada", Status = AssessmentStatus.Started, StartedAt = Now.AddHours(-1), Deadline = deadline ?? Now.AddHours(1) };

    [Theory]
    [InlineData(PushHost.BuiltIn)]
    [InlineData(PushHost.GitHub)]
    public void APushOfTheDefaultBranchBeforeTheDeadlineCountsOnBothHosts(PushHost host)
    {
        var decision = new PushPolicy(new RepositoryOptions()).Decide(Started(), "refs/heads/main", "main", RefChange.Moved, host, Now);

        Assert.Equal(new PushDecision(PushOutcome.Counts, Refused: false), decision);
        Assert.True(decision.Counts);
    }

    [Theory]
    [InlineData(AssessmentStatus.Invited, PushOutcome.NotStarted)]
    [InlineData(AssessmentStatus.Closed, PushOutcome.Closed)]
    [InlineData(AssessmentStatus.ReadyForReview, PushOutcome.Closed)]
    [InlineData(AssessmentStatus.Reviewed, PushOutcome.Closed)]
    [InlineData(AssessmentStatus.Cancelled, PushOutcome.Closed)]
    public void OnlyAStartedAssessmentTakesPushes(AssessmentStatus status, PushOutcome expected)
    {
        var assessment = Started();
        assessment.Status = status;
        var policy = new PushPolicy(new RepositoryOptions());

        Assert.Equal(new PushDecision(expected, Refused: true), policy.Decide(assessment, "refs/heads/main", "main", RefChange.Moved, PushHost.BuiltIn, Now));
        Assert.Equal(new PushDecision(expected, Refused: false), policy.Decide(assessment, "refs/heads/main", "main", RefChange.Moved, PushHost.GitHub, Now));
    }

    [Fact]
    public void TheDeadlineIsTheEndAndTheEarlierOfTheFixedDeadlineAndTheTimeLimitCounts()
    {
        var policy = new PushPolicy(new RepositoryOptions());
        var fixedDeadline = Started(deadline: Now);
        Assert.Equal(PushOutcome.Counts, policy.Decide(fixedDeadline, "refs/heads/main", "main", RefChange.Moved, PushHost.GitHub, Now.AddTicks(-1)).Outcome);
        Assert.Equal(PushOutcome.Late, policy.Decide(fixedDeadline, "refs/heads/main", "main", RefChange.Moved, PushHost.GitHub, Now).Outcome);

        // Started an hour ago with 30 minutes: the time limit ended before the fixed deadline.
        var timeLimit = Started(deadline: Now.AddDays(1));
        timeLimit.TimeLimit = TimeSpan.FromMinutes(30);
        Assert.Equal(new PushDecision(PushOutcome.Late, Refused: true), policy.Decide(timeLimit, "refs/heads/main", "main", RefChange.Moved, PushHost.BuiltIn, Now));

        var open = Started();
        open.Deadline = null;
        Assert.True(policy.Decide(open, "refs/heads/main", "main", RefChange.Moved, PushHost.BuiltIn, Now.AddYears(1)).Counts);
    }

    [Fact]
    public void OtherRefsAndDeletionsNeverCountAndTheBuiltInHostRefusesThemUnlessAllowed()
    {
        var strict = new PushPolicy(new RepositoryOptions());
        var lenient = new PushPolicy(new RepositoryOptions { AllowOtherBranches = true, AllowForcePush = true });
        var assessment = Started();

        Assert.Equal(new PushDecision(PushOutcome.OtherBranch, Refused: true), strict.Decide(assessment, "refs/heads/experiment", "main", RefChange.Moved, PushHost.BuiltIn, Now));
        Assert.Equal(new PushDecision(PushOutcome.OtherBranch, Refused: false), lenient.Decide(assessment, "refs/heads/experiment", "main", RefChange.Moved, PushHost.BuiltIn, Now));
        Assert.Equal(new PushDecision(PushOutcome.OtherBranch, Refused: false), strict.Decide(assessment, "refs/heads/experiment", "main", RefChange.Moved, PushHost.GitHub, Now));
        Assert.Equal(new PushDecision(PushOutcome.NotABranch, Refused: true), lenient.Decide(assessment, "refs/tags/v1", "main", RefChange.Moved, PushHost.BuiltIn, Now));
        Assert.Equal(new PushDecision(PushOutcome.NotABranch, Refused: false), strict.Decide(assessment, "refs/tags/v1", "main", RefChange.Moved, PushHost.GitHub, Now));
        Assert.Equal(new PushDecision(PushOutcome.DeletesDefaultBranch, Refused: true), lenient.Decide(assessment, "refs/heads/main", "main", RefChange.Deleted, PushHost.BuiltIn, Now));
        Assert.Equal(new PushDecision(PushOutcome.DeletesDefaultBranch, Refused: false), strict.Decide(assessment, "refs/heads/main", "main", RefChange.Deleted, PushHost.GitHub, Now));

        // The branch that counts is the host's: GitHub's default branch may have another name.
        Assert.True(strict.Decide(assessment, "refs/heads/trunk", "trunk", RefChange.Moved, PushHost.GitHub, Now).Counts);
        // What a push changes is judged before the assessment's window (the webhook's answer names it).
        var closed = Started();
        closed.Status = AssessmentStatus.Closed;
        Assert.Equal(PushOutcome.OtherBranch, strict.Decide(closed, "refs/heads/experiment", "main", RefChange.Moved, PushHost.GitHub, Now).Outcome);
    }

    [Fact]
    public void ARewriteOfTheDefaultBranchIsRefusedByTheBuiltInHostUnlessAllowedAndCountsOnGitHubWhereItHappened()
    {
        var assessment = Started();

        Assert.Equal(new PushDecision(PushOutcome.RewritesDefaultBranch, Refused: true), new PushPolicy(new RepositoryOptions()).Decide(assessment, "refs/heads/main", "main", RefChange.Rewritten, PushHost.BuiltIn, Now));
        Assert.True(new PushPolicy(new RepositoryOptions { AllowForcePush = true }).Decide(assessment, "refs/heads/main", "main", RefChange.Rewritten, PushHost.BuiltIn, Now).Counts);
        Assert.True(new PushPolicy(new RepositoryOptions()).Decide(assessment, "refs/heads/main", "main", RefChange.Rewritten, PushHost.GitHub, Now).Counts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThePreReceiveHookRefusesWhatThePolicyRefusesWithItsWords(bool lenient)
    {
        var settings = new RepositoryOptions { AllowOtherBranches = lenient, AllowForcePush = lenient };
        var policy = new PushPolicy(settings);
        await _git.SucceedAsync(null, "init", "--quiet", "--initial-branch", "main", "work");
        var template = await _git.CommitAsync("work", "README.md", "template\n", "Template");
        var work = await _git.CommitAsync("work", "NOTES.md", "work\n", "Work");
        await _git.SucceedAsync("work", "checkout", "--quiet", "--orphan", "rewritten");
        var rewritten = await _git.CommitAsync("work", "NOTES.md", "rewritten\n", "Rewritten");
        var zero = new string('0', 40);

        var updates = new (string Old, string New, string Ref, RefChange Change, string Subject)[]
        {
            (template, work, "refs/heads/main", RefChange.Moved, ""),
            (zero, work, "refs/heads/main", RefChange.Moved, ""),
            (work, rewritten, "refs/heads/main", RefChange.Rewritten, ""),
            (work, zero, "refs/heads/main", RefChange.Deleted, ""),
            (zero, work, "refs/heads/experiment", RefChange.Moved, "experiment"),
            (zero, work, "refs/tags/v1", RefChange.Moved, "refs/tags/v1"),
        };
        var assessments = new[]
        {
            Started(deadline: DateTimeOffset.UtcNow.AddHours(1)),
            Started(deadline: DateTimeOffset.UtcNow.AddMinutes(-1)),
            new Assessment { Slug = "ada", Status = AssessmentStatus.Invited },
            new Assessment { Slug = "ada", Status = AssessmentStatus.Closed, StartedAt = Now.AddHours(-1), Deadline = DateTimeOffset.UtcNow.AddHours(1) },
        };

        foreach (var assessment in assessments)
        {
            foreach (var update in updates)
            {
                var (exitCode, error) = await RunHookAsync(policy.HookEnvironment(assessment), $"{update.Old} {update.New} {update.Ref}\n");
                // The hook judges the window first, then the update: the same answers, asked in that order.
                var window = PushPolicy.WindowOutcome(assessment, DateTimeOffset.UtcNow);
                var decision = window is { } closed
                    ? new PushDecision(closed, Refused: true)
                    : policy.Decide(assessment, update.Ref, settings.DefaultBranch, update.Change, PushHost.BuiltIn, DateTimeOffset.UtcNow);
                var because = $"{assessment.Status} {assessment.Deadline:u}: {update}";
                Assert.True(decision.Refused == (exitCode != 0), $"{because}: the hook exited {exitCode}, the policy says {decision}. {error}");
                if (decision.Refused)
                {
                    Assert.Equal($"Assessments: {PushPolicy.Explain(decision.Outcome, settings.DefaultBranch, assessment.EffectiveDeadline, update.Subject)}", error.Trim());
                }
            }
        }
    }

    public void Dispose() => _git.Dispose();

    /// <summary>Runs the hook as git would for a bare repository: in its git directory, the
    /// updates on stdin, nothing of the machine's environment but PATH.</summary>
    private async Task<(int ExitCode, string Error)> RunHookAsync(Dictionary<string, string> environment, string updates)
    {
        var hook = Path.Combine(_git.Folder, "pre-receive");
        await File.WriteAllTextAsync(hook, GitHooks.PreReceive.ReplaceLineEndings("\n"), TestContext.Current.CancellationToken);
        // From a file, not a pipe: a hook that refuses before reading them is not a broken pipe.
        var input = Path.Combine(_git.Folder, "updates");
        await File.WriteAllTextAsync(input, updates, TestContext.Current.CancellationToken);
        var info = new ProcessStartInfo("sh", ["-c", "exec sh \"$0\" < \"$1\"", hook, input])
        {
            WorkingDirectory = Path.Combine(_git.Folder, "work", ".git"),
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        info.Environment["GIT_DIR"] = ".";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await error);
    }
}
