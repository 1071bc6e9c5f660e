using System.Diagnostics;
using Assessments.Runner.Submissions;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>Provisioning a candidate's GitHub repository against the local fake of GitHub's REST
/// API: what ends up on GitHub, and that a retry after a failure half-way (or an answer lost after
/// GitHub acted) ends with one repository, one invitation and one webhook.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class GitHubProvisioningTests(WebApp app) : IAsyncLifetime
{
    private readonly GitHubScenario _github = new(app);

    public async ValueTask InitializeAsync() => await _github.CreateAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task StartingQueuesProvisioningThroughTheOutboxAndProvisioningBuildsTheRepositoryInvitationAndWebhook()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.StartedAsync(ct);
        await using (var db = app.Database.CreateContext())
        {
            var messages = await db.OutboxMessages.Where(m => m.Kind == ProvisioningMessages.Kind).Select(m => m.Payload).ToListAsync(ct);
            Assert.Single(messages, p => p.Contains(id.ToString()));
        }

        await _github.ProvisionAsync(id, ct);

        var assessment = await _github.AssessmentAsync(id, ct);
        var repository = _github.Repository(assessment);
        Assert.Equal(repository.Id, assessment.ExternalRepositoryId);
        Assert.True(repository.Private);
        Assert.Equal($"{_github.GitHub.BaseAddress}{_github.Owner}/{repository.Name}.git", assessment.RepositoryUrl);

        // The template: a private template repository whose only commit holds the template files.
        var template = _github.GitHub.Repository(_github.Owner, repository.GeneratedFrom!.Split('/')[1])!;
        Assert.True(template.IsTemplate);
        Assert.True(template.Private);
        var templateCommit = _github.GitHub.Commit(template.Refs["heads/main"]);
        Assert.Empty(templateCommit.Parents);
        var package = await Scaffold.PackageAsync();
        Assert.Equal(package.TemplateFiles.Select(f => f.Path).Order(), templateCommit.Files.Keys.Order());
        Assert.DoesNotContain(templateCommit.Files.Keys, p => p.Contains("hidden", StringComparison.OrdinalIgnoreCase) || p.Contains("solution", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(package.ContentHash[..12], templateCommit.Message);
        Assert.Equal(templateCommit.Files, _github.GitHub.Commit(repository.Refs["heads/main"]).Files);

        var invitation = Assert.Single(repository.Invitations);
        Assert.Equal((_github.Login, "push", invitation.Id), (invitation.Login, invitation.Permission, assessment.ExternalInvitationId!.Value));

        var hook = Assert.Single(repository.Hooks);
        Assert.Equal($"https://assess.example.test/webhooks/github/{id}", hook.Url);
        Assert.Equal("json", hook.ContentType);
        Assert.Equal(["push"], hook.Events);
        Assert.Equal(await _github.SecretAsync(id, ct), hook.Secret);
        Assert.Equal(hook.Id, assessment.ExternalWebhookId);
        Assert.NotNull(assessment.WebhookSecretProtected);
        Assert.DoesNotContain(hook.Secret!, assessment.WebhookSecretProtected);

        // Every change was one GitHub accepted; the only 404s are the looks before creating.
        Assert.All(_github.Requests(), r => Assert.True(r.Status is >= 200 and < 300 || (r.Method == "GET" && r.Status == 404), r.ToString()));

        // Done is done: a second run changes nothing.
        var before = _github.Requests().Count;
        await _github.ProvisionAsync(id, ct);
        Assert.DoesNotContain(_github.Requests().Skip(before), r => r.Method != "GET");
        Assert.Single(_github.GitHub.RepositoriesOf(_github.Owner), r => !r.IsTemplate);
    }

    [Fact]
    public async Task AGradingReadsTheSubmittedCommitsFilesFromGitHubsTarball()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.ProvisionedAsync(ct);
        var assessment = await _github.AssessmentAsync(id, ct);
        var repository = _github.Repository(assessment);
        var commit = _github.GitHub.Push(repository, "Fix", changes: new Dictionary<string, string> { ["NOTES.md"] = "root cause\n", ["run.sh"] = "x:#!/bin/sh\necho hi\n" });

        await using var scope = app.Services.CreateAsyncScope();
        var github = scope.ServiceProvider.GetRequiredService<GitHubRepositories>();
        var tree = await github.ReadTreeAsync(repository.Id, commit, new TreeLimits(MaxFiles: 1000, MaxBytes: 10 << 20, MaxFileBytes: 1 << 20), ct);

        var files = tree.Files.ToDictionary(f => f.Path);
        Assert.Equal("root cause\n", System.Text.Encoding.UTF8.GetString(files["NOTES.md"].Content));
        Assert.True(files["run.sh"].Executable);
        Assert.False(files["NOTES.md"].Executable);
        var package = await Scaffold.PackageAsync();
        Assert.All(package.TemplateFiles, f => Assert.Contains(f.Path, files.Keys));

        var missing = await Assert.ThrowsAsync<CandidateTreeException>(() => github.ReadTreeAsync(repository.Id, new string('b', 40), new TreeLimits(1000, 10 << 20, 1 << 20), ct));
        Assert.Contains("is not in GitHub repository", missing.Message);
        var tooBig = await Assert.ThrowsAsync<CandidateTreeException>(() => github.ReadTreeAsync(repository.Id, commit, new TreeLimits(MaxFiles: 2, MaxBytes: 10 << 20, MaxFileBytes: 1 << 20), ct));
        Assert.Contains("files", tooBig.Message);
    }

    [Fact]
    public async Task ASecondAssessmentOfTheSameVersionUsesTheTemplateRepositoryPublishedForTheFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await _github.ProvisionedAsync(ct);
        await _github.ProvisionedAsync(ct);

        var repositories = _github.GitHub.RepositoriesOf(_github.Owner);
        Assert.Single(repositories, r => r.IsTemplate);
        Assert.Equal(2, repositories.Count(r => !r.IsTemplate));
        Assert.Single(_github.Requests(), r => r.Method == "POST" && r.Path.EndsWith("/git/commits", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailureHalfWayThenARetryYieldsOneRepositoryOneInvitationAndOneWebhook()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.StartedAsync(ct);
        // GitHub makes the repository, the invitation and the hook, but every answer is lost on
        // the way back; and creating the hook then fails outright, beyond the client's retries.
        _github.GitHub.DropAfterApplying(r => r.Owner == _github.Owner && r.Method == "POST" && r.Path.EndsWith("/generate", StringComparison.Ordinal));
        _github.GitHub.DropAfterApplying(r => r.Owner == _github.Owner && r.Method == "PUT" && r.Path.Contains("/collaborators/", StringComparison.Ordinal));
        _github.GitHub.DropAfterApplying(r => r.Owner == _github.Owner && r.Method == "POST" && r.Path.EndsWith("/hooks", StringComparison.Ordinal));
        _github.GitHub.Fail(r => r.Owner == _github.Owner && r.Method == "PATCH" && r.Path.Contains("/hooks/", StringComparison.Ordinal), 502, times: 5, message: "Bad Gateway");

        await Assert.ThrowsAnyAsync<Exception>(() => _github.ProvisionAsync(id, ct));
        var halfWay = await _github.AssessmentAsync(id, ct);
        Assert.NotNull(halfWay.ExternalRepositoryId);
        Assert.NotNull(halfWay.ExternalInvitationId);
        Assert.Null(halfWay.ExternalWebhookId);

        await _github.ProvisionAsync(id, ct);

        var assessment = await _github.AssessmentAsync(id, ct);
        var repository = _github.Repository(assessment);
        Assert.Single(_github.GitHub.RepositoriesOf(_github.Owner), r => !r.IsTemplate);
        Assert.Single(repository.Invitations);
        var hook = Assert.Single(repository.Hooks);
        Assert.Equal(hook.Id, assessment.ExternalWebhookId);
        Assert.Equal(await _github.SecretAsync(id, ct), hook.Secret);
        // The lost answer to "generate" was retried and met GitHub's 422 for a taken name.
        Assert.Contains(_github.Requests(), r => r.Path.EndsWith("/generate", StringComparison.Ordinal) && r.Status == 422);
        Assert.Contains(_github.Requests(), r => r.Method == "POST" && r.Path.EndsWith("/hooks", StringComparison.Ordinal) && r.Status == 422);
    }

    [Fact]
    public async Task RateLimitsAreWaitedOutAsGitHubSaysAndFiveHundredsAreRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.StartedAsync(ct);
        var reset = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        // Primary limit: 403 with nothing left until the reset time.
        _github.GitHub.Fail(r => r.Owner == _github.Owner && r.Method == "POST" && r.Path == $"/orgs/{_github.Owner}/repos", 403,
            headers: new Dictionary<string, string> { ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = reset.ToString() }, message: "API rate limit exceeded");
        // Secondary limit: 429 with Retry-After.
        _github.GitHub.Fail(r => r.Owner == _github.Owner && r.Path.EndsWith("/generate", StringComparison.Ordinal), 429,
            headers: new Dictionary<string, string> { ["Retry-After"] = "1" }, message: "You have exceeded a secondary rate limit");
        _github.GitHub.Fail(r => r.Owner == _github.Owner && r.Method == "GET" && r.Path.EndsWith("/invitations", StringComparison.Ordinal), 502, times: 2, message: "Bad Gateway");

        var watch = Stopwatch.StartNew();
        await _github.ProvisionAsync(id, ct);

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.5), $"provisioning took {watch.Elapsed}: the rate limits' waits were not honoured");
        var requests = _github.Requests();
        var creates = requests.Where(r => r.Path == $"/orgs/{_github.Owner}/repos").ToList();
        Assert.Equal([403, 201], creates.Select(r => r.Status));
        Assert.Equal([429, 201], requests.Where(r => r.Path.EndsWith("/generate", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.Equal([502, 502, 200], requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/invitations", StringComparison.Ordinal)).Select(r => r.Status).Take(3));
        Assert.NotNull((await _github.AssessmentAsync(id, ct)).ExternalWebhookId);
    }

    [Fact]
    public async Task AForbiddenAnswerThatIsNotARateLimitFailsAtOnceAndAnUnknownLoginIsAnError()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.StartedAsync(ct);
        _github.GitHub.Fail(r => r.Owner == _github.Owner && r.Method == "POST" && r.Path == $"/orgs/{_github.Owner}/repos", 403, message: "Resource not accessible by integration");

        var refused = await Assert.ThrowsAsync<Octokit.ForbiddenException>(() => _github.ProvisionAsync(id, ct));
        Assert.Contains("Resource not accessible by integration", refused.Message);
        Assert.Single(_github.Requests(), r => r.Path == $"/orgs/{_github.Owner}/repos");

        // The candidate's login does not exist on GitHub: the invitation step says so.
        _github.GitHub.Users.TryRemove(_github.Login, out _);
        var missing = await Assert.ThrowsAsync<Octokit.NotFoundException>(() => _github.ProvisionAsync(id, ct));
        Assert.Contains("Not Found", missing.Message);
        Assert.Null((await _github.AssessmentAsync(id, ct)).ExternalInvitationId);
    }

    [Fact]
    public async Task InvitingToGitHubNeedsTheCandidatesLoginAndTheOrganisationsGitHubOrganisation()
    {
        var ct = TestContext.Current.CancellationToken;
        var noLogin = await Assert.ThrowsAsync<Assessments.Web.Features.Lifecycle.AssessmentStateException>(() => _github.LifecycleAsync(l => l.InviteAsync(
            new("greeting", $"bo.{Guid.NewGuid():N}@example.com", "Bo", null, _github.Organisation, null, null, TimeSpan.FromHours(1)), "test", ct)));
        Assert.Equal("A GitHub repository needs the candidate's GitHub login: add --github LOGIN.", noLogin.Message);

        var badLogin = await Assert.ThrowsAsync<Assessments.Web.Features.Lifecycle.AssessmentStateException>(() => _github.LifecycleAsync(l => l.InviteAsync(
            new("greeting", $"bo.{Guid.NewGuid():N}@example.com", "Bo", "-not a login", _github.Organisation, null, null, TimeSpan.FromHours(1)), "test", ct)));
        Assert.Equal("'-not a login' is not a GitHub login.", badLogin.Message);

        // An invitation may override the organisation's default: this one lives on the built-in host.
        var builtIn = await _github.LifecycleAsync(l => l.InviteAsync(
            new("greeting", $"bo.{Guid.NewGuid():N}@example.com", "Bo", null, _github.Organisation, RepositoryHost.BuiltIn, null, TimeSpan.FromHours(1)), "test", ct));
        Assert.Equal(RepositoryHost.BuiltIn, (await _github.AssessmentAsync(builtIn.AssessmentId, ct)).RepositoryHost);

        await using var db = app.Database.CreateContext();
        var other = new Organisation { Slug = $"plain-{Guid.NewGuid():N}"[..16], Name = "No GitHub" };
        db.Organisations.Add(other);
        await db.SaveChangesAsync(ct);
        var noOrganisation = await Assert.ThrowsAsync<Assessments.Web.Features.Lifecycle.AssessmentStateException>(() => _github.LifecycleAsync(l => l.InviteAsync(
            new("greeting", $"bo.{Guid.NewGuid():N}@example.com", "Bo", "bo", other.Slug, RepositoryHost.GitHub, null, TimeSpan.FromHours(1)), "test", ct)));
        Assert.Equal($"{other.Slug} has no GitHub organisation: `assess organisation set {other.Slug} --github-org LOGIN` first.", noOrganisation.Message);
    }
}
