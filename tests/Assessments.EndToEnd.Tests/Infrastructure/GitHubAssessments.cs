using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Scenarios;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>Started GitHub assessments written straight into a migrated database (no GitHub to
/// provision them), each with its webhook secret protected by the key ring in the database that
/// the web processes read; and push deliveries signed as GitHub signs them.</summary>
public static class GitHubAssessments
{
    /// <summary>The scaffold imported as <c>greeting</c>, organisation <c>acme</c> (GitHub
    /// organisation <c>acme-hiring</c>, built-in repositories by default) and
    /// <paramref name="count"/> started assessments on GitHub.</summary>
    public static async Task<List<SeededAssessment>> SeedAsync(string connectionString, DirectoryInfo data, int count, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AssessmentsDbContext>(o => o.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddDataProtection().SetApplicationName("Assessments").PersistKeysToDbContext<AssessmentsDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(GitHubRepositories.WebhookSecretPurpose);

        var library = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", library, cancellationToken);
        await new ScenarioImporter(db).ImportAsync(ScenarioPackage.Load(library).GetPackageOrThrow(library), cancellationToken);
        var version = await db.ScenarioVersions.SingleAsync(cancellationToken);
        var organisation = new Organisation { Slug = "acme", Name = "Acme", GitHubOrganisation = "acme-hiring" };
        db.Organisations.Add(organisation);

        var seeded = new List<SeededAssessment>();
        for (var i = 0; i < count; i++)
        {
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var assessment = new Assessment
            {
                Organisation = organisation,
                Candidate = new Candidate { Organisation = organisation, Name = $"Candidate {i}", Email = $"candidate{i}@example.com", GitHubLogin = $"candidate-{i}" },
                ScenarioVersionId = version.Id,
                Slug = $"candidate-{i}",
                Status = AssessmentStatus.Started,
                StartedAt = DateTimeOffset.UtcNow,
                TimeLimit = TimeSpan.FromHours(4),
                RepositoryHost = RepositoryHost.GitHub,
                ExternalRepositoryFullName = $"acme-hiring/candidate-{i}",
                ExternalRepositoryId = 9000 + i,
                WebhookSecretProtected = protector.Protect(secret),
            };
            db.Assessments.Add(assessment);
            seeded.Add(new SeededAssessment(assessment.Id, assessment.ExternalRepositoryId.Value, secret));
        }

        await db.SaveChangesAsync(cancellationToken);
        return seeded;
    }

    /// <summary>GitHub's push delivery <paramref name="deliveryId"/> of <paramref name="commit"/> to
    /// the default branch, signed with the assessment's secret.</summary>
    public static HttpRequestMessage PushDelivery(string baseUrl, SeededAssessment assessment, string deliveryId, string commit)
    {
        var body = PushBody(assessment, commit);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/webhooks/github/{assessment.Id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", deliveryId);
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Compute(assessment.Secret, Encoding.UTF8.GetBytes(body)));
        return request;
    }

    /// <summary>GitHub's push event body: <paramref name="commit"/> pushed to the default branch
    /// of the assessment's repository.</summary>
    public static string PushBody(SeededAssessment assessment, string commit) => new JsonObject
    {
        ["ref"] = "refs/heads/main",
        ["before"] = new string('0', 40),
        ["after"] = commit,
        ["created"] = false,
        ["deleted"] = false,
        ["forced"] = false,
        ["repository"] = new JsonObject { ["id"] = assessment.RepositoryId, ["default_branch"] = "main" },
    }.ToJsonString();

    /// <summary>A random commit id.</summary>
    public static string Sha() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}

/// <summary>A seeded GitHub assessment: its id, its repository's GitHub id and its webhook secret.</summary>
public sealed record SeededAssessment(Guid Id, long RepositoryId, string Secret);
