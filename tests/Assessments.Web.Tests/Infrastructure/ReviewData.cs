using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>An organisation with a signed-in member and assessments in every state a reviewer
/// meets, added straight to the database: the pages read rows, however they were written.</summary>
/// <param name="blindReview">Whether the organisation reviews blind. The product's default is
/// on; tests of other things see names, and the tests of blinding turn it on.</param>
public sealed class ReviewData(WebApp app, bool blindReview = false)
{
    public const string Password = "correct-horse-battery";

    public Organisation Organisation { get; } = new() { Slug = $"org-{Guid.NewGuid():N}"[..20], Name = "Acme Hiring", BlindReview = blindReview };

    public Scenario Scenario { get; private set; } = null!;

    public ScenarioVersion Version { get; private set; } = null!;

    public User Member { get; private set; } = null!;

    public string MemberEmail { get; } = $"member-{Guid.NewGuid():N}@example.com";

    /// <summary>Creates the organisation, a member with <paramref name="role"/> and a scenario version.</summary>
    public async Task<ReviewData> CreateAsync(OrganisationRole role = OrganisationRole.Reviewer, string scenarioSlug = "n-plus-one", string manifest = "{}")
    {
        Member = await app.CreateUserAsync(MemberEmail, Password);
        await using var db = app.Database.CreateContext();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        Scenario = new Scenario { Organisation = Organisation, Slug = scenarioSlug, Title = $"Scenario {scenarioSlug}" };
        Version = new ScenarioVersion { Scenario = Scenario, ContentHash = hash, Label = "1.0", Manifest = manifest, VerifiedAt = DateTimeOffset.UtcNow };
        db.ScenarioArchives.Add(new ScenarioArchive { ContentHash = hash, Archive = [1], SizeBytes = 1 });
        db.ScenarioVersions.Add(Version);
        db.Memberships.Add(new Membership { Organisation = Organisation, UserId = Member.Id, Role = role });
        await db.SaveChangesAsync();
        return this;
    }

    /// <summary>Adds <paramref name="count"/> started assessments, each with a push graded to
    /// <paramref name="verdict"/> and a primary metric 21 → 1.</summary>
    public async Task<List<Assessment>> AddAssessmentsAsync(int count, GradingVerdict verdict = GradingVerdict.Passed, string candidatePrefix = "Candidate")
    {
        await using var db = app.Database.CreateContext();
        var added = new List<Assessment>();
        for (var i = 0; i < count; i++)
        {
            var candidate = new Candidate { OrganisationId = Organisation.Id, Name = $"{candidatePrefix} {i:000}", Email = $"c-{Guid.NewGuid():N}@example.com" };
            var started = DateTimeOffset.UtcNow.AddHours(-i - 1);
            var assessment = new Assessment
            {
                OrganisationId = Organisation.Id,
                Candidate = candidate,
                ScenarioVersionId = Version.Id,
                Slug = $"a-{Guid.NewGuid():N}"[..20],
                Status = AssessmentStatus.Started,
                StartedAt = started,
                TimeLimit = TimeSpan.FromHours(4),
            };
            var submission = new Submission { Assessment = assessment, CommitSha = Sha(), ReceivedAt = started.AddMinutes(30) };
            var run = new GradingRun
            {
                Kind = GradingKind.Candidate,
                ScenarioVersionId = Version.Id,
                Submission = submission,
                Status = GradingStatus.Completed,
                Verdict = verdict,
                QueuedAt = submission.ReceivedAt,
                StartedAt = submission.ReceivedAt,
                FinishedAt = submission.ReceivedAt.AddMinutes(1),
                Attempt = 1,
            };
            run.Metrics.Add(new MetricSample
            {
                Key = "emails_per_delivery",
                Unit = "emails",
                IsPrimary = true,
                Direction = MetricSampleDirection.Lower,
                Kind = MetricSampleKind.Counted,
                CandidateValue = 1,
                BaselineValue = 21,
                Ratio = 1 / 21.0,
                Comparison = MetricSampleComparison.Better,
            });
            db.Assessments.Add(assessment);
            db.GradingRuns.Add(run);
            db.Reviews.Add(new Review { Assessment = assessment, ReviewerId = Member.Id });
            added.Add(assessment);
        }

        await db.SaveChangesAsync();
        return added;
    }

    /// <summary>A started assessment with one push whose grading stored <paramref name="report"/>,
    /// the <paramref name="files"/> it changed, and the commit <paramref name="message"/>.</summary>
    public async Task<(Assessment Assessment, GradingRun Run)> AddGradedAsync(
        GradingReport? report,
        IReadOnlyList<GradingFile>? files = null,
        string message = "Fix the N+1 query",
        GradingStatus status = GradingStatus.Completed,
        string candidateName = "Ada Lovelace")
    {
        await using var db = app.Database.CreateContext();
        var started = DateTimeOffset.UtcNow.AddHours(-2);
        var assessment = new Assessment
        {
            OrganisationId = Organisation.Id,
            Candidate = new Candidate { OrganisationId = Organisation.Id, Name = candidateName, Email = $"c-{Guid.NewGuid():N}@example.com" },
            ScenarioVersionId = Version.Id,
            Slug = $"a-{Guid.NewGuid():N}"[..20],
            Status = AssessmentStatus.Started,
            StartedAt = started,
            TimeLimit = TimeSpan.FromHours(4),
        };
        var submission = new Submission { Assessment = assessment, CommitSha = Sha(), ReceivedAt = started.AddMinutes(80), Message = message };
        var run = new GradingRun
        {
            Kind = GradingKind.Candidate,
            ScenarioVersionId = Version.Id,
            Submission = submission,
            // Running until the report gives it a verdict, as the grading job does.
            Status = report is null ? status : GradingStatus.Running,
            QueuedAt = submission.ReceivedAt,
            StartedAt = status == GradingStatus.Queued ? null : submission.ReceivedAt,
            Attempt = status == GradingStatus.Queued ? 0 : 1,
        };
        db.Assessments.Add(assessment);
        db.GradingRuns.Add(run);
        if (report is not null)
        {
            await db.SaveChangesAsync();
            await StoredReports.ReplaceAsync(db, run, report, CancellationToken.None);
            run.FinishedAt = report.FinishedAt;
            run.Status = status;
        }

        foreach (var file in files ?? [])
        {
            file.GradingRunId = run.Id;
            db.GradingFiles.Add(file);
        }

        await db.SaveChangesAsync();
        return (assessment, run);
    }

    /// <summary>Another member of the organisation, with <paramref name="role"/>; signs in with <see cref="Password"/>.</summary>
    public async Task<User> AddMemberAsync(OrganisationRole role, string name)
    {
        var user = await app.CreateUserAsync($"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", Password);
        await using var db = app.Database.CreateContext();
        db.Memberships.Add(new Membership { OrganisationId = Organisation.Id, UserId = user.Id, Role = role });
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, name));
        await db.SaveChangesAsync();
        return user;
    }

    public Task<HttpClient> SignedInAsync(CancellationToken cancellationToken) => SignedInAsync(MemberEmail, cancellationToken);

    public async Task<HttpClient> SignedInAsync(string email, CancellationToken cancellationToken)
    {
        var client = app.CreateClient();
        var response = await WebApp.SignInAsync(client, email, Password, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static string Sha() => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Guid.NewGuid().ToByteArray()));
}
