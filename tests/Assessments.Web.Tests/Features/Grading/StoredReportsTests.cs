using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Grading;

/// <summary>A stored report's rows say what its JSON says, read back from the database; a rerun
/// replaces them as a whole.</summary>
public sealed class StoredReportsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task RowsAgreeWithTheStoredDocumentAndARerunReplacesThem()
    {
        var ct = TestContext.Current.CancellationToken;
        Guid runId;
        await using (var db = database.CreateContext())
        {
            var assessment = new AssessmentBuilder().AddTo(db);
            var submission = new Submission { Assessment = assessment, CommitSha = new string('a', 40) };
            db.Submissions.Add(submission);
            var run = GradingQueue.Queue(db, submission, assessment.ScenarioVersion!.Id);
            runId = run.Id;
            await db.SaveChangesAsync(ct);

            await StoredReports.ReplaceAsync(db, run, Report(Verdict.TestsFailed, tests: 3), ct);
            await db.SaveChangesAsync(ct);
            await StoredReports.ReplaceAsync(db, run, Report(Verdict.Passed, tests: 2), ct);
            await db.SaveChangesAsync(ct);
        }

        await using (var db = database.CreateContext())
        {
            var run = await db.GradingRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
            var report = GradingReport.FromJson(run.Report!);
            Assert.Equal((GradingVerdict.Passed, report.Stage, report.Environment.ImageDigest), (run.Verdict, run.Stage, run.ImageDigest));

            var tests = await db.TestResults.Where(t => t.GradingRunId == runId).OrderBy(t => t.Ordinal).ToListAsync(ct);
            Assert.Equal(
                report.Tests.Select(t => ($"{t.Phase}: {t.Name}", t.Visibility.ToString(), t.Status.ToString(), t.Message, (double?)t.DurationMs)),
                tests.Select(t => (t.Name, t.Visibility.ToString(), t.Status.ToString(), t.Message, t.DurationMs)));

            var metric = Assert.Single(await db.MetricSamples.Where(m => m.GradingRunId == runId).ToListAsync(ct));
            var declared = Assert.Single(report.Metrics);
            Assert.Equal(
                (declared.Key, declared.Unit, declared.Direction.ToString(), declared.Primary, declared.Kind.ToString(), declared.Candidate, declared.Baseline, declared.Ratio, declared.Comparison.ToString(), declared.BaselineSource.ToString(), declared.Spread, declared.BaselineSpread),
                (metric.Key, metric.Unit, metric.Direction.ToString(), metric.IsPrimary, metric.Kind.ToString(), metric.CandidateValue, metric.BaselineValue, metric.Ratio, metric.Comparison.ToString(), metric.BaselineSource.ToString(), metric.Spread, metric.BaselineSpread));
            Assert.Equal(declared.Samples, metric.CandidateSamples);
            Assert.Equal(declared.BaselineSamples, metric.BaselineSamples);

            var finding = Assert.Single(await db.Findings.Where(f => f.GradingRunId == runId).ToListAsync(ct));
            var found = Assert.Single(report.Findings);
            Assert.Equal((found.Rule, found.Severity.ToString(), found.Path, found.Line, found.Message), (finding.Rule, finding.Severity.ToString(), finding.Path, finding.Line, finding.Message));
        }
    }

    private static GradingReport Report(Verdict verdict, int tests) => new()
    {
        Status = verdict == Verdict.Passed ? ReportStatus.Pass : ReportStatus.Fail,
        Verdict = verdict,
        Stage = verdict == Verdict.Passed ? null : "hidden-tests:main",
        Scenario = new ScenarioRef("greeting", "1", new string('c', 64)),
        Subject = new SubjectRef(SubjectKind.Candidate, "submission", new string('a', 40)),
        Tests = [.. Enumerable.Range(0, tests).Select(i => new TestOutcome
        {
            Name = $"Test{i}",
            Visibility = i == 0 ? TestVisibility.Public : TestVisibility.Hidden,
            Phase = "main",
            Status = i == 1 && verdict != Verdict.Passed ? TestStatus.Fail : TestStatus.Pass,
            Message = i == 1 ? "took 10 statements" : null,
            DurationMs = 12.5 + i,
        })],
        Metrics =
        [
            new MetricOutcome
            {
                Key = "statements_per_request", Title = "Statements per request", Unit = "statements", Direction = MetricDirection.Lower,
                Primary = true, Kind = MetricKind.Counted, Candidate = 1, Baseline = 10, Ratio = 0.1, Improvement = 10,
                Comparison = MetricComparison.Better, BaselineSource = BaselineSource.Cached, Spread = 0, BaselineSpread = 0.5,
                Samples = [1, 1], BaselineSamples = [10, 10.5],
            },
        ],
        Findings = [new FindingOutcome("locked-file", FindingSeverity.Concern, "tests/Greeting.Tests/GreeterTests.cs", 3, "A locked file was changed.")],
        Environment = new RunEnvironment("docker", "sha256:" + new string('d', 64), new Dictionary<string, string>()),
        StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
