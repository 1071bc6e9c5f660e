using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Web.Features.Grading;

/// <summary>Reports for gradings that stop before the plan runs.</summary>
public static class GradingReports
{
    /// <summary>The candidate's tree was refused before anything ran (too large, a commit that is not there).</summary>
    public static GradingReport Refused(ScenarioPackage package, SubjectRef subject, string stage, string message, DateTimeOffset startedAt) => new()
    {
        Status = ReportStatus.Fail,
        Verdict = Verdict.NotAllowed,
        Stage = stage,
        Message = message,
        Scenario = new ScenarioRef(package.Manifest.Id, package.Manifest.Version, package.ContentHash),
        Subject = subject,
        Environment = new RunEnvironment("none", null, new Dictionary<string, string>()),
        StartedAt = startedAt,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
