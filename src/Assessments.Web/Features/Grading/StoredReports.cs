using Assessments.Runner.Results;

namespace Assessments.Web.Features.Grading;

/// <summary>The one place a grading's report is stored. The whole document stays as written
/// (<see cref="GradingRun.Report"/>: what <c>assess grading show</c> prints and a reviewer can
/// download); the rows pages query — the run's verdict and stage, its tests, metrics and
/// findings — are written here, from that document and nothing else, so they cannot say
/// something it does not. A rerun replaces them as a whole (decision 015).</summary>
public static class StoredReports
{
    /// <summary>Deletes what an earlier attempt of <paramref name="run"/> stored and, when there is
    /// a report, stores it. The caller saves, in the transaction the deletes ran in.</summary>
    public static async Task ReplaceAsync(AssessmentsDbContext db, GradingRun run, GradingReport? report, CancellationToken cancellationToken)
    {
        await db.TestResults.Where(t => t.GradingRunId == run.Id).ExecuteDeleteAsync(cancellationToken);
        await db.MetricSamples.Where(m => m.GradingRunId == run.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Findings.Where(f => f.GradingRunId == run.Id).ExecuteDeleteAsync(cancellationToken);
        if (report is null)
        {
            return;
        }

        run.Report = report.ToJson();
        run.Verdict = Stored<GradingVerdict>(report.Verdict);
        run.Stage = report.Stage is { Length: > 64 } stage ? stage[..64] : report.Stage;
        run.ImageDigest = report.Environment.ImageDigest;
        db.TestResults.AddRange(Tests(run.Id, report));
        db.MetricSamples.AddRange(Metrics(run.Id, report));
        db.Findings.AddRange(Findings(run.Id, report));
    }

    /// <summary>The rows of <paramref name="report"/>'s tests, in the order they ran.</summary>
    public static IEnumerable<TestResult> Tests(Guid runId, GradingReport report) =>
        report.Tests.Select((t, i) => new TestResult
        {
            GradingRunId = runId,
            Ordinal = i,
            Name = t.Phase is null ? t.Name : $"{t.Phase}: {t.Name}",
            Visibility = Stored<TestResultVisibility>(t.Visibility),
            Status = Stored<TestResultStatus>(t.Status),
            Message = t.Message,
            Output = t.Output,
            DurationMs = t.DurationMs,
        });

    /// <summary>The rows of <paramref name="report"/>'s metrics.</summary>
    public static IEnumerable<MetricSample> Metrics(Guid runId, GradingReport report) =>
        report.Metrics.Select(m => new MetricSample
        {
            GradingRunId = runId,
            Key = m.Key,
            Unit = m.Unit,
            Direction = Stored<MetricSampleDirection>(m.Direction),
            IsPrimary = m.Primary,
            Kind = Stored<MetricSampleKind>(m.Kind),
            CandidateValue = m.Candidate,
            BaselineValue = m.Baseline,
            Ratio = m.Ratio,
            Comparison = Stored<MetricSampleComparison>(m.Comparison),
            BaselineSource = Stored<MetricBaselineSource>(m.BaselineSource),
            Note = m.Note,
            Spread = m.Spread,
            BaselineSpread = m.BaselineSpread,
            CandidateSamples = [.. m.Samples],
            BaselineSamples = [.. m.BaselineSamples],
        });

    /// <summary>The rows of <paramref name="report"/>'s findings.</summary>
    public static IEnumerable<Finding> Findings(Guid runId, GradingReport report) =>
        report.Findings.Select(f => new Finding
        {
            GradingRunId = runId,
            Rule = f.Rule,
            Severity = Stored<FindingLevel>(f.Severity),
            Path = f.Path,
            Line = f.Line,
            Message = f.Message,
        });

    /// <summary>A word of the results contract as the data model stores it: the same name
    /// (the vocabulary test holds the two lists equal).</summary>
    public static TStored Stored<TStored>(Enum contract)
        where TStored : struct, Enum =>
        Enum.Parse<TStored>(contract.ToString());
}
