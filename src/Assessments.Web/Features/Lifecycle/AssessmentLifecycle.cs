using System.Text.Json;
using System.Text.RegularExpressions;
using Assessments.Scenarios;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Submissions;

namespace Assessments.Web.Features.Lifecycle;

/// <summary>What an invitation asks for.</summary>
/// <param name="Scenario">The scenario's slug; its newest version is assigned.</param>
/// <param name="Organisation">The hiring organisation's slug; may be left out when there is only one.</param>
/// <param name="Deadline">A fixed end.</param>
/// <param name="TimeLimit">How long from start; with <paramref name="Deadline"/>, the earlier end wins.</param>
/// <param name="AllowUnverified">An admin's override: assign the newest version even when no
/// version is verified on the current sandbox image (audited). Without it the newest verified
/// version is assigned, and none is refused.</param>
public sealed record InvitationRequest(string Scenario, string CandidateEmail, string? CandidateName, string? GitHubLogin, string? Organisation, RepositoryHost? Host, DateTimeOffset? Deadline, TimeSpan? TimeLimit, bool AllowUnverified = false);

/// <summary>A new invitation: the link carries a secret shown only here. <paramref name="Mail"/>
/// says where the invitation mail went, or why it did not (the invitation stands either way, and
/// the link can be passed on by hand). <paramref name="Unverified"/>: the version was assigned
/// under the admin's override, not verified on the current sandbox image.</summary>
public sealed record Invitation(Guid AssessmentId, string Link, string Mail, bool Unverified = false);

/// <summary>A started assessment. On the built-in host the git token is shown only here; a GitHub
/// repository is provisioned in the background, and the candidate works with their own account.</summary>
public sealed record StartedAssessment(Guid AssessmentId, RepositoryHost Host, string? CloneUrl, string? Username, string? Token, DateTimeOffset? Deadline);

/// <summary>Why an assessment cannot do what was asked; the message is for the person who asked.</summary>
public sealed class AssessmentStateException(string message) : Exception(message);

/// <summary>An assessment's life: invited → started (the clock starts, the repository is seeded
/// from the template, a git token is issued) → closed (at the deadline or on "I'm done": the
/// repository is reconciled and the newest submission made final, which is
/// always graded) → ready for review once that grading is done. A closed repository stays readable
/// with the candidate's token, and refuses pushes with a message the git client prints. Every step
/// is audited.</summary>
public sealed partial class AssessmentLifecycle(
    AssessmentsDbContext db,
    RepositoryReconciliation reconciliation,
    GitHubRepositories github,
    IOptions<RepositoryOptions> repositories,
    IOptions<GitHubOptions> githubOptions,
    IOptions<PublicUrlOptions> urls,
    IMailSender mail,
    ILogger<AssessmentLifecycle> logger,
    TimeProvider time)
{
    public async Task<Invitation> InviteAsync(InvitationRequest request, string actor, CancellationToken cancellationToken)
    {
        CheckTerms(request);
        var email = CandidateEmail(request);
        var organisation = await OrganisationAsync(request.Organisation, cancellationToken);
        var (version, unverified) = await VersionToAssignAsync(request, organisation, cancellationToken);
        var candidate = await CandidateAsync(organisation, email, request, cancellationToken);
        var host = request.Host ?? organisation.DefaultRepositoryHost;
        CheckRepositoryHost(host, organisation, candidate);

        var (assessment, secret) = NewAssessment(request, organisation, candidate, version, host);
        db.Assessments.Add(assessment);
        Audit(actor, "assessment.invited", assessment, new { scenario = request.Scenario, version = version.ContentHash[..12], candidate = email, host = host.ToString() });
        if (unverified is not null)
        {
            Audit(actor, "assessment.unverified-version-allowed", assessment, new { scenario = request.Scenario, version = version.ContentHash[..12], why = unverified });
        }

        await db.SaveChangesAsync(cancellationToken);

        var link = urls.Value.Link($"/invitations/{secret}");
        var outcome = await MailInvitationAsync(organisation, candidate, assessment, version, link, email, cancellationToken);
        return new Invitation(assessment.Id, link, outcome, unverified is not null);
    }

    /// <summary>A deadline, a time limit or both; a positive limit; a deadline still ahead.</summary>
    private void CheckTerms(InvitationRequest request)
    {
        if (request.Deadline is null && request.TimeLimit is null)
        {
            throw new AssessmentStateException("An assessment needs a deadline, a time limit or both.");
        }

        if (request.TimeLimit is { } limit && limit <= TimeSpan.Zero)
        {
            throw new AssessmentStateException($"The time limit {limit} is not positive.");
        }

        if (request.Deadline is { } deadline && deadline <= time.GetUtcNow())
        {
            throw new AssessmentStateException($"The deadline {deadline:u} has passed already.");
        }
    }

    /// <summary>The candidate's address as stored: trimmed and lower case, in the shape of an address.</summary>
    private static string CandidateEmail(InvitationRequest request)
    {
        var email = request.CandidateEmail.Trim().ToLowerInvariant();
        return IsEmail(email)
            ? email
            : throw new AssessmentStateException($"'{request.CandidateEmail}' is not an email address.");
    }

    /// <summary>The version an invitation gets (decision 020): the newest imported version of the
    /// scenario (global or the organisation's own) that verified on the sandbox image the workers
    /// run now, so a new version being verified does not hold up hiring. Without one, the newest
    /// version under the admin's override, with why it was not usable; otherwise refused, saying
    /// how to verify.</summary>
    private async Task<(ScenarioVersion Version, string? Unverified)> VersionToAssignAsync(InvitationRequest request, Organisation organisation, CancellationToken cancellationToken)
    {
        var versions = db.ScenarioVersions
            .Include(v => v.Scenario)
            .Where(v => v.Scenario!.Slug == request.Scenario && (v.Scenario.OrganisationId == null || v.Scenario.OrganisationId == organisation.Id))
            .OrderByDescending(v => v.CreatedAt);
        var newest = await versions.FirstOrDefaultAsync(cancellationToken)
            ?? throw new AssessmentStateException($"No scenario '{request.Scenario}' is imported for {organisation.Slug}: `assess scenario import` it first.");

        if (await db.CurrentSandboxImageAsync(cancellationToken) is { } image)
        {
            var verified = await versions
                .Where(v => db.ScenarioVerifications.Any(x => x.ScenarioVersionId == v.Id && x.Status == ScenarioVerificationStatus.Verified && x.ImageId == image.ImageId))
                .FirstOrDefaultAsync(cancellationToken);
            if (verified is not null)
            {
                return (verified, null);
            }
        }

        var refusal = (await db.VerificationStateAsync(newest.Id, cancellationToken)).Refusal(newest, request.Scenario)
            ?? throw new InvalidOperationException($"{request.Scenario} {newest.ContentHash[..12]} is usable but was not found so.");
        return request.AllowUnverified ? (newest, refusal) : throw new AssessmentStateException(refusal);
    }

    /// <summary>The organisation's candidate with this address, added when new; the GitHub login
    /// given with the invitation replaces a stored one.</summary>
    private async Task<Candidate> CandidateAsync(Organisation organisation, string email, InvitationRequest request, CancellationToken cancellationToken)
    {
        var candidate = await db.Candidates.SingleOrDefaultAsync(c => c.OrganisationId == organisation.Id && c.Email == email, cancellationToken);
        if (candidate is null)
        {
            candidate = new Candidate { OrganisationId = organisation.Id, Email = email, Name = request.CandidateName?.Trim() is { Length: > 0 } name ? name : email.Split('@')[0] };
            db.Candidates.Add(candidate);
        }

        if (request.GitHubLogin is { Length: > 0 } login)
        {
            candidate.GitHubLogin = GitHubLogin.IsValid(login.Trim())
                ? login.Trim()
                : throw new AssessmentStateException($"'{login}' is not a GitHub login.");
        }

        return candidate;
    }

    /// <summary>A GitHub repository needs GitHub configured here, the organisation's GitHub
    /// organisation and the candidate's login; the built-in host needs nothing.</summary>
    private void CheckRepositoryHost(RepositoryHost host, Organisation organisation, Candidate candidate)
    {
        if (host != RepositoryHost.GitHub)
        {
            return;
        }

        if (!githubOptions.Value.IsConfigured)
        {
            throw new AssessmentStateException("GitHub is not configured on this server: set GitHub__Token, or invite with --host builtin.");
        }

        if (organisation.GitHubOrganisation is null)
        {
            throw new AssessmentStateException($"{organisation.Slug} has no GitHub organisation: `assess organisation set {organisation.Slug} --github-org LOGIN` first.");
        }

        if (candidate.GitHubLogin is null)
        {
            throw new AssessmentStateException("A GitHub repository needs the candidate's GitHub login: add --github LOGIN.");
        }
    }

    /// <summary>The invited assessment and its invitation secret (only the hash is stored).</summary>
    private (Assessment Assessment, string Secret) NewAssessment(InvitationRequest request, Organisation organisation, Candidate candidate, ScenarioVersion version, RepositoryHost host)
    {
        var (secret, hash) = AccessTokens.Create("inv_");
        var slug = Slug(candidate.Name);
        var assessment = new Assessment
        {
            OrganisationId = organisation.Id,
            Candidate = candidate,
            ScenarioVersionId = version.Id,
            Slug = slug,
            Deadline = request.Deadline,
            TimeLimit = request.TimeLimit,
            InvitationTokenHash = hash,
            InvitedAt = time.GetUtcNow(),
            RepositoryHost = host,
            ExternalRepositoryFullName = host == RepositoryHost.GitHub ? $"{organisation.GitHubOrganisation}/{slug}" : null,
        };
        return (assessment, secret);
    }

    /// <summary>Mails the invitation and says what happened to it. A failed mail does not undo the
    /// invitation, which is saved already: whoever invited has the link.</summary>
    private async Task<string> MailInvitationAsync(Organisation organisation, Candidate candidate, Assessment assessment, ScenarioVersion version, string link, string email, CancellationToken cancellationToken)
    {
        var manifest = JsonSerializer.Deserialize<Assessments.Scenarios.Manifest.ScenarioManifest>(version.Manifest, JsonSerializerOptions.Web)!;
        try
        {
            await mail.SendAsync(InvitationMail.Compose(organisation, candidate, assessment, manifest, link), cancellationToken);
            return $"mailed to {email} through {mail.Destination}";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The invitation mail for assessment {AssessmentId} to {Email} was not sent", assessment.Id, email);
            return $"NOT mailed ({mail.Destination}: {e.Message}); pass the link on yourself";
        }
    }

    /// <summary>Starts the clock, seeds the repository from the template and issues the git token.</summary>
    public async Task<StartedAssessment> StartAsync(Guid assessmentId, string actor, CancellationToken cancellationToken)
    {
        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (!assessment.CanStart)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)}, not invited: it can be started once.");
        }

        if (assessment.Deadline is { } deadline && deadline <= time.GetUtcNow())
        {
            throw new AssessmentStateException($"Assessment {assessment.Id}'s deadline {deadline:u} has passed; extend it first.");
        }

        if (assessment.RepositoryHost == RepositoryHost.GitHub)
        {
            return await StartOnGitHubAsync(assessment, actor, cancellationToken);
        }

        var settings = repositories.Value;
        var path = settings.PathOf(assessment.Organisation!.Slug, assessment.Slug);
        // A start that died after seeding left the template's commit alone there; it is used as is.
        if (!Directory.Exists(path))
        {
            var package = await StoredPackages.LoadAsync(db, assessment.ScenarioVersion!.ContentHash, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await TemplateRepository.SeedAsync(package, path, settings.DefaultBranch, cancellationToken);
        }

        var (token, hash) = AccessTokens.Create();
        var cloneUrl = urls.Value.Link($"/git/{assessment.Organisation.Slug}/{assessment.Slug}.git");
        assessment.Start(time.GetUtcNow());
        assessment.AccessTokenHash = hash;
        assessment.AccessTokenRevokedAt = null;
        assessment.RepositoryUrl = cloneUrl;
        Audit(actor, "assessment.started", assessment, new { deadline = assessment.EffectiveDeadline });
        await db.SaveChangesAsync(cancellationToken);
        return new StartedAssessment(assessment.Id, RepositoryHost.BuiltIn, cloneUrl, "candidate", token, assessment.EffectiveDeadline);
    }

    /// <summary>Starts the clock and queues the repository's provisioning through the outbox, in
    /// the same transaction: a start is never left without its repository.</summary>
    private async Task<StartedAssessment> StartOnGitHubAsync(Assessment assessment, string actor, CancellationToken cancellationToken)
    {
        assessment.Start(time.GetUtcNow());
        db.OutboxMessages.Add(new OutboxMessage
        {
            Kind = ProvisioningMessages.Kind,
            Payload = JsonSerializer.Serialize(new ProvisionGitHubRepositoryMessage(assessment.Id)),
        });
        Audit(actor, "assessment.started", assessment, new { deadline = assessment.EffectiveDeadline, repository = assessment.ExternalRepositoryFullName });
        await db.SaveChangesAsync(cancellationToken);
        return new StartedAssessment(assessment.Id, RepositoryHost.GitHub, null, assessment.Candidate!.GitHubLogin, null, assessment.EffectiveDeadline);
    }

    /// <summary>Replaces a started built-in assessment's git token (the candidate lost it, or it
    /// leaked): the old one stops working at once, the new one is shown only here.</summary>
    public async Task<StartedAssessment> IssueTokenAsync(Guid assessmentId, string actor, CancellationToken cancellationToken)
    {
        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (assessment.Status != AssessmentStatus.Started || assessment.RepositoryHost != RepositoryHost.BuiltIn)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)} on {assessment.RepositoryHost}: only a started one on the built-in host has a token.");
        }

        var (token, hash) = AccessTokens.Create();
        assessment.AccessTokenHash = hash;
        Audit(actor, "assessment.token-issued", assessment, new { });
        await db.SaveChangesAsync(cancellationToken);
        return new StartedAssessment(assessment.Id, RepositoryHost.BuiltIn, assessment.RepositoryUrl, "candidate", token, assessment.EffectiveDeadline);
    }

    /// <summary>Closes a started assessment: what git holds is recorded first, then the newest
    /// submission becomes final. Closing a closed one changes nothing.</summary>
    public async Task<Assessment> CloseAsync(Guid assessmentId, string actor, string reason, CancellationToken cancellationToken)
    {
        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (assessment.IsClosed)
        {
            return assessment;
        }

        if (!assessment.CanClose)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)}; only a started one can be closed.");
        }

        if (assessment.RepositoryHost == RepositoryHost.GitHub)
        {
            // Access goes first, so nothing can be pushed between the last look and the close.
            await github.RevokeAccessAsync(assessment);
            assessment.AccessTokenRevokedAt = time.GetUtcNow();
        }

        await reconciliation.ReconcileAsync(assessment.Id, cancellationToken);
        if (assessment.RepositoryHost == RepositoryHost.GitHub)
        {
            await github.ArchiveAsync(assessment);
        }

        var final = await db.Submissions.Where(s => s.AssessmentId == assessment.Id)
            .OrderByDescending(s => s.ReceivedAt).ThenByDescending(s => s.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (final is not null)
        {
            final.IsFinal = true;
        }

        var graded = final is not null && await db.GradingRuns.AnyAsync(
            r => r.SubmissionId == final.Id && (r.Status == GradingStatus.Completed || r.Status == GradingStatus.Failed), cancellationToken);
        assessment.Close(time.GetUtcNow(), finalGradingPending: final is not null && !graded);
        Audit(actor, "assessment.closed", assessment, new { reason, finalCommit = final?.CommitSha, readyForReview = assessment.Status == AssessmentStatus.ReadyForReview });

        await db.SaveChangesAsync(cancellationToken);
        return assessment;
    }

    /// <summary>Moves the fixed deadline (and adds to the time limit) of an assessment that is not closed.</summary>
    public async Task<Assessment> ExtendAsync(Guid assessmentId, TimeSpan by, string actor, CancellationToken cancellationToken)
    {
        if (by <= TimeSpan.Zero)
        {
            throw new AssessmentStateException($"An extension of {by} extends nothing.");
        }

        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (!assessment.IsOpen)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)}; only an open one can be extended.");
        }

        var before = assessment.EffectiveDeadline;
        assessment.Deadline += by;
        assessment.TimeLimit += by;
        Audit(actor, "assessment.extended", assessment, new { by, before, after = assessment.EffectiveDeadline });
        await db.SaveChangesAsync(cancellationToken);
        return assessment;
    }

    /// <summary>Sends the invitation again with a new link (the link is stored only as a hash, so
    /// the old one cannot be sent again, and stops working now): for a candidate who lost the mail,
    /// or whose address was mistyped and has been corrected. Only an open assessment is resent.</summary>
    public async Task<Invitation> ResendAsync(Guid assessmentId, string actor, CancellationToken cancellationToken)
    {
        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (!assessment.IsOpen)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)}; only an open one can be sent again.");
        }

        var (secret, hash) = AccessTokens.Create("inv_");
        assessment.InvitationTokenHash = hash;
        Audit(actor, "assessment.invitation-resent", assessment, new { candidate = assessment.Candidate!.Email });
        await db.SaveChangesAsync(cancellationToken);

        var link = urls.Value.Link($"/invitations/{secret}");
        var outcome = await MailInvitationAsync(assessment.Organisation!, assessment.Candidate, assessment, assessment.ScenarioVersion!, link, assessment.Candidate.Email, cancellationToken);
        return new Invitation(assessment.Id, link, outcome);
    }

    /// <summary>Withdraws an open invitation: the link shows only that it was withdrawn, the git
    /// token stops working at once (GitHub access is removed), and the repository is kept with
    /// whatever was pushed. A revoked assessment is cancelled for good; revoking it again changes
    /// nothing.</summary>
    public async Task<Assessment> RevokeAsync(Guid assessmentId, string actor, string reason, CancellationToken cancellationToken)
    {
        var assessment = await LoadAsync(assessmentId, cancellationToken);
        if (assessment.Status == AssessmentStatus.Cancelled)
        {
            return assessment;
        }

        if (!assessment.IsOpen)
        {
            throw new AssessmentStateException($"Assessment {assessment.Id} is {Describe(assessment.Status)}; only an open one can be revoked.");
        }

        if (assessment.RepositoryHost == RepositoryHost.GitHub)
        {
            await github.RevokeAccessAsync(assessment);
        }

        assessment.Revoke(time.GetUtcNow());
        Audit(actor, "assessment.revoked", assessment, new { reason });
        await db.SaveChangesAsync(cancellationToken);
        return assessment;
    }

    /// <summary>Closes every started assessment whose deadline has passed; returns how many.</summary>
    public async Task<int> CloseExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = await db.Assessments.AsNoTracking()
            .Where(a => a.Status == AssessmentStatus.Started)
            .ToListAsync(cancellationToken);
        var closed = 0;
        foreach (var a in started.Where(a => a.EffectiveDeadline <= now))
        {
            try
            {
                await CloseAsync(a.Id, "system", "deadline", cancellationToken);
                closed++;
            }
            catch (Exception e) when (e is Octokit.ApiException or HttpRequestException)
            {
                // GitHub is down or refusing: this one waits for the next run, the others close now.
                // Its pushes since the deadline are not recorded as submissions meanwhile.
                logger.LogWarning(e, "Closing assessment {AssessmentId} at its deadline failed; it is tried again at the next run", a.Id);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return closed;
    }

    private async Task<Assessment> LoadAsync(Guid assessmentId, CancellationToken cancellationToken) =>
        await db.Assessments.Include(a => a.Organisation).Include(a => a.ScenarioVersion).Include(a => a.Candidate)
            .SingleOrDefaultAsync(a => a.Id == assessmentId, cancellationToken)
        ?? throw new AssessmentStateException($"No assessment {assessmentId}.");

    private async Task<Organisation> OrganisationAsync(string? slug, CancellationToken cancellationToken)
    {
        if (slug is not null)
        {
            return await db.Organisations.SingleOrDefaultAsync(o => o.Slug == slug, cancellationToken)
                ?? throw new AssessmentStateException($"No organisation '{slug}'.");
        }

        var all = await db.Organisations.OrderBy(o => o.Slug).Take(2).ToListAsync(cancellationToken);
        return all switch
        {
            [var only] => only,
            [] => throw new AssessmentStateException("There is no organisation yet: `assess admin create` one first."),
            _ => throw new AssessmentStateException("There are several organisations: say which with --org."),
        };
    }

    private void Audit(string actor, string action, Assessment assessment, object data) =>
        db.AuditEvents.Add(AuditEvent.About(assessment, actor, action, data));

    /// <summary>A URL-safe name from the candidate's name and a random suffix: readable in a clone
    /// URL, unguessable enough that a slug says nothing about who else is being assessed.</summary>
    private static string Slug(string name)
    {
        var stem = NotSlug().Replace(name.ToLowerInvariant(), "-").Trim('-');
        stem = stem.Length == 0 ? "candidate" : stem[..Math.Min(stem.Length, 40)].TrimEnd('-');
        return $"{stem}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
    }

    private static string Describe(AssessmentStatus status) => status switch
    {
        AssessmentStatus.ReadyForReview => "ready for review",
        _ => status.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    /// <summary>Whether an invitation would take <paramref name="text"/> as the candidate's address.</summary>
    internal static bool IsEmail(string text) => EmailShape().IsMatch(text.Trim());

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();
}
