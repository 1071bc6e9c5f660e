using Assessments.Web.Data;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Test data with sensible defaults; each test states only what it is about.</summary>
public sealed class AssessmentBuilder
{
    private DateTimeOffset? _deadline = DateTimeOffset.UtcNow.AddDays(7);
    private TimeSpan? _timeLimit;
    private string _slug = $"a-{Guid.NewGuid():N}"[..20];

    public AssessmentBuilder WithDeadline(DateTimeOffset? deadline)
    {
        _deadline = deadline;
        return this;
    }

    public AssessmentBuilder WithTimeLimit(TimeSpan? timeLimit)
    {
        _timeLimit = timeLimit;
        return this;
    }

    public AssessmentBuilder WithSlug(string slug)
    {
        _slug = slug;
        return this;
    }

    /// <summary>Adds the assessment and everything it needs (organisation, candidate, scenario
    /// version with its package) to the context, unsaved.</summary>
    public Assessment AddTo(AssessmentsDbContext db)
    {
        var org = new Organisation { Slug = $"org-{Guid.NewGuid():N}"[..20], Name = "Test Org" };
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var package = new ScenarioArchive { ContentHash = hash, Archive = [1, 2, 3], SizeBytes = 3 };
        var scenario = new Scenario { Organisation = org, Slug = "n-plus-one", Title = "N+1" };
        var version = new ScenarioVersion { Scenario = scenario, ContentHash = hash, Label = "1", Manifest = "{}" };
        var candidate = new Candidate { Organisation = org, Name = "Ada", Email = $"ada-{Guid.NewGuid():N}@example.com" };
        var assessment = new Assessment
        {
            Organisation = org,
            Candidate = candidate,
            ScenarioVersion = version,
            Slug = _slug,
            Deadline = _deadline,
            TimeLimit = _timeLimit,
        };
        db.ScenarioArchives.Add(package);
        db.Assessments.Add(assessment);
        return assessment;
    }
}
