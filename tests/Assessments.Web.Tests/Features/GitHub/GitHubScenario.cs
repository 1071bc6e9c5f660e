using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>One test's hiring organisation on GitHub: its own GitHub organisation name on the
/// shared fake (so tests never see each other's repositories), a candidate login the fake knows,
/// and the lifecycle and provisioning calls the tests drive.</summary>
internal sealed class GitHubScenario(WebApp app)
{
    public string Organisation { get; } = $"gh-{Guid.NewGuid():N}"[..16];

    public string Owner { get; } = $"org-{Guid.NewGuid():N}"[..16];

    public string Login { get; } = $"ada-{Guid.NewGuid():N}"[..14];

    public FakeGitHub GitHub => app.GitHub;

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        GitHub.Users[Login] = true;
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = Organisation, Name = "Hiring on GitHub", DefaultRepositoryHost = RepositoryHost.GitHub, GitHubOrganisation = Owner });
        await db.SaveChangesAsync(cancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    /// <summary>Invites (the organisation's default host, GitHub) and starts; returns the assessment's id.</summary>
    public async Task<Guid> StartedAsync(CancellationToken cancellationToken, TimeSpan? timeLimit = null)
    {
        var invitation = await LifecycleAsync(l => l.InviteAsync(
            new InvitationRequest("greeting", $"ada.{Guid.NewGuid():N}@example.com", "Ada Lovelace", Login, Organisation, null, null, timeLimit ?? TimeSpan.FromHours(4)),
            "test",
            cancellationToken));
        var started = await LifecycleAsync(l => l.StartAsync(invitation.AssessmentId, "test", cancellationToken));
        Assert.Equal(RepositoryHost.GitHub, started.Host);
        Assert.Null(started.Token);
        return invitation.AssessmentId;
    }

    public async Task ProvisionAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GitHubProvisioningJob>().RunAsync(assessmentId, cancellationToken);
    }

    public async Task<Guid> ProvisionedAsync(CancellationToken cancellationToken, TimeSpan? timeLimit = null)
    {
        var id = await StartedAsync(cancellationToken, timeLimit);
        await ProvisionAsync(id, cancellationToken);
        return id;
    }

    public async Task<T> LifecycleAsync<T>(Func<AssessmentLifecycle, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>());
    }

    public async Task<Assessment> AssessmentAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = app.Database.CreateContext();
        return await db.Assessments.AsNoTracking().Include(a => a.Submissions).SingleAsync(a => a.Id == id, cancellationToken);
    }

    /// <summary>The webhook secret as the app stored it (protected at rest).</summary>
    public async Task<string> SecretAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var assessment = await AssessmentAsync(id, cancellationToken);
        return scope.ServiceProvider.GetRequiredService<GitHubRepositories>().WebhookSecret(assessment)!;
    }

    public FakeRepository Repository(Assessment assessment) =>
        GitHub.Repository(Owner, assessment.ExternalRepositoryFullName!.Split('/')[1])
        ?? throw new InvalidOperationException($"No repository {assessment.ExternalRepositoryFullName} on the fake.");

    /// <summary>Requests about this test's GitHub organisation.</summary>
    public IReadOnlyList<RecordedRequest> Requests() =>
        [.. GitHub.Requests.Where(r => r.Owner == Owner)];
}
