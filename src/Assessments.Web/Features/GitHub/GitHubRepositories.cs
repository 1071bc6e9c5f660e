using System.IO.Compression;
using System.Security.Cryptography;
using Assessments.Runner.Submissions;
using Assessments.Scenarios;
using Assessments.Web.Features.Git;
using Microsoft.AspNetCore.DataProtection;
using Octokit;

namespace Assessments.Web.Features.GitHub;

/// <summary>A GitHub repository's default-branch head, and whether it is the repository's first
/// commit (the template's, which is nobody's submission).</summary>
public sealed record GitHubHead(string CommitSha, string Branch, bool IsRootCommit);

/// <summary>Candidates' repositories on GitHub: provisioning (template repository, the candidate's
/// repository generated from it, the collaborator invitation, the push webhook), reading the
/// head for reconciliation, and taking access away at close. Every step looks at what GitHub
/// holds before it changes anything, so a step that died half-way is finished, not repeated.</summary>
public sealed class GitHubRepositories(
    AssessmentsDbContext db,
    GitHubClients clients,
    IDataProtectionProvider protection,
    IOptions<GitHubOptions> options,
    IOptions<PublicUrlOptions> urls,
    ILogger<GitHubRepositories> logger)
{
    /// <summary>The Data Protection purpose webhook secrets are protected under.</summary>
    public const string WebhookSecretPurpose = "Assessments.GitHub.WebhookSecret";

    /// <summary>The webhook's address for an assessment: the path names the assessment, so the
    /// endpoint knows which secret to check the signature with before it reads the body.</summary>
    public string WebhookUrl(Guid assessmentId) => urls.Value.Link($"/webhooks/github/{assessmentId}");

    /// <summary>The shared secret of an assessment's webhook, or null when it has none yet.</summary>
    public string? WebhookSecret(Assessment assessment) =>
        assessment.WebhookSecretProtected is { } protectedSecret ? protection.CreateProtector(WebhookSecretPurpose).Unprotect(protectedSecret) : null;

    /// <summary>Brings an assessment's GitHub repository to its provisioned state: the template
    /// repository published, the candidate's repository generated from it, the candidate invited
    /// with push permission and the push webhook in place. Safe to run again at any point.</summary>
    public async Task ProvisionAsync(Guid assessmentId, CancellationToken cancellationToken)
    {
        var assessment = await db.Assessments.Include(a => a.Candidate).Include(a => a.ScenarioVersion).ThenInclude(v => v!.Scenario)
            .SingleAsync(a => a.Id == assessmentId, cancellationToken);
        if (assessment.RepositoryHost != RepositoryHost.GitHub || assessment.ExternalRepositoryFullName is null)
        {
            throw new InvalidOperationException($"Assessment {assessmentId} does not use a GitHub repository.");
        }

        if (assessment.Status != AssessmentStatus.Started)
        {
            logger.LogInformation("Assessment {AssessmentId} is {Status}: its repository is not provisioned", assessmentId, assessment.Status);
            return;
        }

        var github = clients.Create();
        var (owner, name) = Split(assessment.ExternalRepositoryFullName);

        if (assessment.ExternalRepositoryId is null)
        {
            var template = await PublishTemplateAsync(github, owner, assessment.ScenarioVersion!, cancellationToken);
            var repository = await GenerateAsync(github, owner, name, template, assessment, cancellationToken);
            assessment.ExternalRepositoryId = repository.Id;
            assessment.RepositoryUrl = repository.CloneUrl;
            await db.SaveChangesAsync(cancellationToken);
        }

        var repositoryId = assessment.ExternalRepositoryId.Value;
        if (assessment.ExternalInvitationId is null)
        {
            assessment.ExternalInvitationId = await InviteAsync(github, repositoryId, assessment.Candidate!.GitHubLogin!);
            await db.SaveChangesAsync(cancellationToken);
        }

        if (assessment.ExternalWebhookId is null)
        {
            if (assessment.WebhookSecretProtected is null)
            {
                // Stored before GitHub hears of it: a hook must never exist with a secret we lost.
                assessment.WebhookSecretProtected = protection.CreateProtector(WebhookSecretPurpose).Protect(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
                await db.SaveChangesAsync(cancellationToken);
            }

            assessment.ExternalWebhookId = await EnsureWebhookAsync(github, repositoryId, WebhookUrl(assessment.Id), WebhookSecret(assessment)!);
            db.AuditEvents.Add(AuditEvent.About(assessment, "system", "assessment.repository-provisioned", new { repository = assessment.ExternalRepositoryFullName, invitation = assessment.ExternalInvitationId, webhook = assessment.ExternalWebhookId }));
            await db.SaveChangesAsync(cancellationToken);
        }

        logger.LogInformation("Assessment {AssessmentId}: GitHub repository {Repository} provisioned", assessment.Id, assessment.ExternalRepositoryFullName);
    }

    /// <summary>The default-branch head of a provisioned repository, or null when it has none.</summary>
    public async Task<GitHubHead?> HeadAsync(long repositoryId)
    {
        var github = clients.Create();
        var repository = await github.Repository.Get(repositoryId);
        try
        {
            var head = await github.Git.Reference.Get(repositoryId, $"heads/{repository.DefaultBranch}");
            var commit = await github.Git.Commit.Get(repositoryId, head.Object.Sha);
            return new GitHubHead(head.Object.Sha, repository.DefaultBranch, commit.Parents.Count == 0);
        }
        catch (NotFoundException)
        {
            // No such branch: deleted, or nothing pushed to an empty repository.
            return null;
        }
    }

    /// <summary>The message of <paramref name="commit"/>, or null when GitHub does not have it.</summary>
    public async Task<string?> CommitMessageAsync(long repositoryId, string commit)
    {
        try
        {
            return (await clients.Create().Git.Commit.Get(repositoryId, commit)).Message;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>A commit's files, from GitHub's tarball of it (the API's redirect to codeload is
    /// followed), read as a stream: every entry is counted against the limits before its content is
    /// read, so a huge or hostile archive stops at the first entry over them.</summary>
    /// <exception cref="CandidateTreeException">When the commit is not in the repository, or the tree passes a limit.</exception>
    public async Task<CandidateTree> ReadTreeAsync(long repositoryId, string commit, TreeLimits limits, CancellationToken cancellationToken)
    {
        if (!GitTrees.IsCommitId(commit))
        {
            throw new CandidateTreeException($"'{commit}' is not a full commit id.");
        }

        var github = clients.Create();
        IApiResponse<Stream> response;
        try
        {
            response = await github.Connection.GetRawStream(new Uri($"repositories/{repositoryId}/tarball/{commit}", UriKind.Relative), new Dictionary<string, string>());
        }
        catch (NotFoundException)
        {
            throw new CandidateTreeException($"Commit {commit} is not in GitHub repository {repositoryId}.");
        }

        await using var body = response.Body;
        await using var tar = new GZipStream(body, CompressionMode.Decompress);
        // GitHub puts every file under one folder named after the repository and commit.
        return await CandidateTree.FromTarAsync(tar, limits, cancellationToken, stripComponents: 1);
    }

    /// <summary>Takes the candidate's access away: pending invitations withdrawn, the
    /// collaborator removed. Already gone is fine.</summary>
    public async Task RevokeAccessAsync(Assessment assessment)
    {
        if (assessment.ExternalRepositoryId is not { } repositoryId)
        {
            return;
        }

        var github = clients.Create();
        foreach (var invitation in await github.Repository.Invitation.GetAllForRepository(repositoryId))
        {
            await IgnoreNotFound(() => github.Repository.Invitation.Delete(repositoryId, invitation.Id));
        }

        if (assessment.Candidate?.GitHubLogin is { } login)
        {
            await IgnoreNotFound(() => github.Repository.Collaborator.Delete(repositoryId, login));
        }
    }

    /// <summary>Archives the repository when configured: read-only for everyone, kept for review.</summary>
    public async Task ArchiveAsync(Assessment assessment)
    {
        if (assessment.ExternalRepositoryId is { } repositoryId && options.Value.ArchiveAtClose)
        {
            await clients.Create().Repository.Edit(repositoryId, new RepositoryUpdate { Archived = true });
        }
    }

    /// <summary>The scenario version's template repository in <paramref name="owner"/>: a private
    /// template repository whose one commit holds the template files and nothing else. Its name
    /// carries the content hash, so each version is published once and found again.</summary>
    private async Task<string> PublishTemplateAsync(IGitHubClient github, string owner, ScenarioVersion version, CancellationToken cancellationToken)
    {
        var name = $"{version.Scenario!.Slug}-template-{version.ContentHash[..12]}";
        var marker = $"Scenario {version.Scenario.Slug} {version.Label} ({version.ContentHash[..12]}).";
        var repository = await FindAsync(github, owner, name);
        if (repository is null)
        {
            try
            {
                // auto_init gives the repository a branch; the Git data API refuses an empty one.
                repository = await github.Repository.Create(owner, new NewRepository(name)
                {
                    Private = true,
                    IsTemplate = true,
                    AutoInit = true,
                    Description = $"Assessments template: {version.Scenario.Title} {version.Label}",
                });
            }
            catch (ApiValidationException e) when (AlreadyExists(e))
            {
                repository = await github.Repository.Get(owner, name);
            }
        }

        var head = await github.Git.Reference.Get(repository.Id, $"heads/{repository.DefaultBranch}");
        var current = await github.Git.Commit.Get(repository.Id, head.Object.Sha);
        if (current.Message.Contains(marker, StringComparison.Ordinal))
        {
            return name;
        }

        var package = await StoredPackages.LoadAsync(db, version.ContentHash, cancellationToken);
        var tree = new NewTree();
        foreach (var file in package.TemplateFiles)
        {
            var blob = await github.Git.Blob.Create(repository.Id, new NewBlob { Content = Convert.ToBase64String(file.Content), Encoding = EncodingType.Base64 });
            tree.Tree.Add(new NewTreeItem { Path = file.Path, Mode = file.Executable ? "100755" : "100644", Type = TreeType.Blob, Sha = blob.Sha });
        }

        var createdTree = await github.Git.Tree.Create(repository.Id, tree);
        var author = new Committer(TemplateRepository.AuthorName, TemplateRepository.AuthorEmail, DateTimeOffset.UtcNow);
        // No parent: the auto-init commit is dropped from the history by the forced update.
        var commit = await github.Git.Commit.Create(repository.Id, new NewCommit($"{package.Manifest.Title}\n\n{marker}", createdTree.Sha, []) { Author = author, Committer = author });
        await github.Git.Reference.Update(repository.Id, $"heads/{repository.DefaultBranch}", new ReferenceUpdate(commit.Sha, force: true));
        logger.LogInformation("Published scenario version {ContentHash} to template repository {Owner}/{Name}", version.ContentHash[..12], owner, name);
        return name;
    }

    private static async Task<Repository> GenerateAsync(IGitHubClient github, string owner, string name, string template, Assessment assessment, CancellationToken cancellationToken)
    {
        if (await FindAsync(github, owner, name) is { } existing)
        {
            return existing;
        }

        try
        {
            return await github.Repository.Generate(owner, template, new NewRepositoryFromTemplate(name)
            {
                Owner = owner,
                Private = true,
                Description = $"Assessment of {assessment.Candidate!.Name}: {assessment.ScenarioVersion!.Scenario!.Title}",
            });
        }
        catch (ApiValidationException e) when (AlreadyExists(e))
        {
            // Our own earlier attempt, whose answer was lost.
            cancellationToken.ThrowIfCancellationRequested();
            return await github.Repository.Get(owner, name);
        }
    }

    private static async Task<long?> InviteAsync(IGitHubClient github, long repositoryId, string login)
    {
        if (await github.Repository.Collaborator.IsCollaborator(repositoryId, login))
        {
            return null;
        }

        var pending = (await github.Repository.Invitation.GetAllForRepository(repositoryId))
            .FirstOrDefault(i => string.Equals(i.Invitee?.Login, login, StringComparison.OrdinalIgnoreCase));
        if (pending is not null)
        {
            return pending.Id;
        }

        var invitation = await github.Repository.Collaborator.Add(repositoryId, login, new CollaboratorRequest("push"));
        return invitation?.Id;
    }

    private static async Task<long> EnsureWebhookAsync(IGitHubClient github, long repositoryId, string url, string secret)
    {
        var config = new Dictionary<string, string> { ["url"] = url, ["content_type"] = "json", ["secret"] = secret, ["insecure_ssl"] = "0" };
        var existing = await FindHookAsync(github, repositoryId, url);
        if (existing is null)
        {
            try
            {
                return (await github.Repository.Hooks.Create(repositoryId, new NewRepositoryHook("web", config) { Events = ["push"], Active = true })).Id;
            }
            catch (ApiValidationException)
            {
                // "Hook already exists on this repository": ours, from an attempt whose answer was lost.
                existing = await FindHookAsync(github, repositoryId, url) ?? throw new InvalidOperationException($"GitHub refused the webhook for {url} and holds none.");
            }
        }

        // Found rather than created: set the secret we hold, whatever the hook had.
        await github.Repository.Hooks.Edit(repositoryId, existing.Id, new EditRepositoryHook(config) { Events = ["push"], Active = true });
        return existing.Id;
    }

    private static async Task<RepositoryHook?> FindHookAsync(IGitHubClient github, long repositoryId, string url) =>
        (await github.Repository.Hooks.GetAll(repositoryId)).FirstOrDefault(h => h.Config.TryGetValue("url", out var u) && u == url);

    private static async Task<Repository?> FindAsync(IGitHubClient github, string owner, string name)
    {
        try
        {
            return await github.Repository.Get(owner, name);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private static async Task IgnoreNotFound(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (NotFoundException)
        {
        }
    }

    /// <summary>GitHub's 422 for a repository name that is taken.</summary>
    private static bool AlreadyExists(ApiValidationException e) =>
        e is RepositoryExistsException
        || e.ApiError?.Errors?.Any(x => x.Message?.Contains("already exists", StringComparison.OrdinalIgnoreCase) == true) == true;

    private static (string Owner, string Name) Split(string fullName) =>
        fullName.Split('/') is [var owner, var name] ? (owner, name) : throw new InvalidOperationException($"'{fullName}' is not owner/name.");
}
