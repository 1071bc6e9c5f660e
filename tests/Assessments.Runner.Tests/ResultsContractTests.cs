using System.Text.Json;
using System.Text.Json.Nodes;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Json.Schema;

namespace Assessments.Runner.Tests;

/// <summary>Every report shape the engine writes validates against the committed results.schema.json.</summary>
public sealed class ResultsContractTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Results", "results.schema.json")));

    public static TheoryData<string> Reports => new(Samples.Keys);

    private static readonly Dictionary<string, GradingReport> Samples = new()
    {
        ["passed"] = Report(ReportStatus.Pass, Verdict.Passed, stage: null) with
        {
            Tests = XunitResultParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "xunit-v3-main.xml")), TestVisibility.Hidden, "main", methodNames: true),
            Metrics =
            [
                new MetricOutcome
                {
                    Key = "statements_per_request", Title = "Statements per request", Unit = "statements", Direction = MetricDirection.Lower,
                    Primary = true, Kind = MetricKind.Counted, Candidate = 3, Baseline = 201, Ratio = 3.0 / 201, Improvement = 67, Comparison = MetricComparison.Better,
                    BaselineSource = BaselineSource.Cached, Spread = 0, BaselineSpread = 0, Samples = [3, 3, 3], BaselineSamples = [201, 201, 201],
                },
                new MetricOutcome
                {
                    Key = "latency_orders_p95", Title = "GET /orders: 95th percentile latency", Unit = "ms", Direction = MetricDirection.Lower,
                    Kind = MetricKind.Timed, Candidate = 4.1, Baseline = 4.3, Ratio = 4.1 / 4.3, Improvement = 4.3 / 4.1, Comparison = MetricComparison.NoMeasurableDifference,
                    BaselineSource = BaselineSource.Measured, Note = "candidate: 1 of 100 requests failed (GET /orders answered 500).",
                    Spread = 0.4, BaselineSpread = 0.5, Samples = [4.1, 3.9, 4.4], BaselineSamples = [4.3, 4.0, 4.6],
                },
            ],
            Findings = [new FindingOutcome("blocking-async", FindingSeverity.Concern, "src/Orders.Api/OrdersEndpoint.cs", 42, ".Result blocks a thread")],
            Stages = [new StageOutcome("build", Side.Candidate, StageStatus.Ok, 12_345, 0), new StageOutcome("hidden-tests:main", Side.Grader, StageStatus.Ok, 2_000, 0)],
        },
        ["build-failed"] = Report(ReportStatus.Fail, Verdict.BuildFailed, "build") with
        {
            Message = "src/Orders.Api/Program.cs(3,1): error CS1002: ; expected",
            Stages = [new StageOutcome("build", Side.Candidate, StageStatus.Failed, 5_000, 1), new StageOutcome("hidden-tests:main", Side.Grader, StageStatus.Skipped, 0, null)],
        },
        ["sandbox-error"] = Report(ReportStatus.Error, Verdict.SandboxError, "start-postgres") with
        {
            Message = "PostgreSQL did not start",
            Metrics =
            [
                new MetricOutcome
                {
                    Key = "statements_per_request", Title = "Statements per request", Unit = "statements", Direction = MetricDirection.Lower, Primary = true,
                    Kind = MetricKind.Counted, Comparison = MetricComparison.NotCompared, BaselineSource = BaselineSource.None,
                },
            ],
        },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void ReportValidatesAgainstTheSchema(string sample)
    {
        var json = Samples[sample].ToJson();
        var result = Schema.Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}");
        Assert.True(result.IsValid, string.Join("\n", errors) + "\n" + json);
    }

    [Fact]
    public void SchemaRejectsAReportMissingItsVerdict()
    {
        var json = JsonNode.Parse(Samples["passed"].ToJson())!.AsObject();
        json.Remove("verdict");
        Assert.False(Schema.Evaluate(JsonDocument.Parse(json.ToJsonString()).RootElement).IsValid);
    }

    [Fact]
    public void SchemaRejectsAnUnknownVerdict()
    {
        var json = JsonNode.Parse(Samples["passed"].ToJson())!.AsObject();
        json["verdict"] = "mostly-passed";
        Assert.False(Schema.Evaluate(JsonDocument.Parse(json.ToJsonString()).RootElement).IsValid);
    }

    [Fact]
    public void ReportRoundTripsThroughJson()
    {
        var report = Samples["passed"];
        var back = GradingReport.FromJson(report.ToJson());
        Assert.Equal(report.ToJson(), back.ToJson());
        Assert.Contains("\"verdict\": \"passed\"", report.ToJson());
        Assert.Contains("\"status\": \"skipped\"", report.ToJson());
    }

    private static GradingReport Report(ReportStatus status, Verdict verdict, string? stage) => new()
    {
        Status = status,
        Verdict = verdict,
        Stage = stage,
        Scenario = new ScenarioRef("n-plus-one", "1.0", new string('a', 64)),
        Subject = new SubjectRef(SubjectKind.Verification, "solution", null),
        Environment = new RunEnvironment("local", null, new Dictionary<string, string> { ["user"] = "uid 1000" }),
        StartedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 25, 12, 1, 0, TimeSpan.Zero),
    };
}
