using System.Text.Json;
using System.Text.Json.Serialization;

namespace Assessments.Runner.Results;

/// <summary>The results contract, version 1 (<c>results.schema.json</c> beside this file): one
/// document per grading, shaped after Exercism's test-runner results v3. Everything a reviewer
/// sees comes from this document and the logs.</summary>
public sealed record GradingReport
{
    /// <summary>The contract version this document follows.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="CurrentVersion"/> for documents this engine writes.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>pass when every hidden test passed, fail when a test failed or the build did, error when grading itself could not finish.</summary>
    public required ReportStatus Status { get; init; }

    /// <summary>The outcome in one word.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>The stage the verdict belongs to; null when passed.</summary>
    public string? Stage { get; init; }

    /// <summary>A sentence for the reviewer when the verdict is not passed.</summary>
    public string? Message { get; init; }

    /// <summary>The scenario version graded against; null for a repository's own tests run without one.</summary>
    public required ScenarioRef? Scenario { get; init; }

    /// <summary>What was graded.</summary>
    public required SubjectRef Subject { get; init; }

    /// <summary>Every test in the order it ran: public tests first, then hidden tests phase by phase.</summary>
    public IReadOnlyList<TestOutcome> Tests { get; init; } = [];

    /// <summary>Every declared metric, with the baseline measured in the same run where there is one.</summary>
    public IReadOnlyList<MetricOutcome> Metrics { get; init; } = [];

    /// <summary>Automated observations on the candidate's change.</summary>
    public IReadOnlyList<FindingOutcome> Findings { get; init; } = [];

    /// <summary>Every file the graded tree has differently from the template, in path order.</summary>
    public IReadOnlyList<FileChangeOutcome> Changes { get; init; } = [];

    /// <summary>Each stage with its side, status and timing.</summary>
    public IReadOnlyList<StageOutcome> Stages { get; init; } = [];

    /// <summary>Where it ran and the isolation actually applied.</summary>
    public required RunEnvironment Environment { get; init; }

    /// <summary>When the grading started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the grading finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Serializer settings of the contract: camelCase names, kebab-case enum values, nulls written.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        WriteIndented = true,
    };

    /// <summary>The document as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a document written by <see cref="ToJson"/>.</summary>
    public static GradingReport FromJson(string json) =>
        JsonSerializer.Deserialize<GradingReport>(json, JsonOptions) ?? throw new JsonException("The report is empty.");
}

/// <summary>Overall status, as in Exercism's contract.</summary>
public enum ReportStatus
{
    /// <summary>Every hidden test passed.</summary>
    Pass,

    /// <summary>A test or the build failed: the candidate's code did not meet the bar.</summary>
    Fail,

    /// <summary>The grading could not finish for a reason that is not the candidate's verdict.</summary>
    Error,
}

/// <summary>The outcome in one word.</summary>
public enum Verdict
{
    /// <summary>Built, started, every hidden test passed.</summary>
    Passed,

    /// <summary>At least one hidden test failed.</summary>
    TestsFailed,

    /// <summary>The service did not build.</summary>
    BuildFailed,

    /// <summary>A stage ran past its wall-clock limit.</summary>
    TimedOut,

    /// <summary>A side ran out of memory.</summary>
    OutOfMemory,

    /// <summary>A side printed more than the output cap.</summary>
    OutputLimit,

    /// <summary>A side ran into the file-size or process limit, or filled its disk; the message says which.</summary>
    ResourceLimit,

    /// <summary>The candidate used something the scenario does not allow (a package, a path).</summary>
    NotAllowed,

    /// <summary>The grading infrastructure failed; not the candidate's fault.</summary>
    SandboxError,
}

/// <summary>The scenario version a report belongs to.</summary>
public sealed record ScenarioRef(string Id, string Version, string ContentHash);

/// <summary>What was graded: a submission's commit, or one of the package's own trees.</summary>
/// <param name="Kind">candidate, baseline, reference or verification.</param>
/// <param name="Tree">template, solution, variant:NAME, or submission.</param>
/// <param name="Commit">The commit graded, for submissions.</param>
public sealed record SubjectRef(SubjectKind Kind, string Tree, string? Commit);

/// <summary>Why a grading ran.</summary>
public enum SubjectKind
{
    /// <summary>A candidate's push.</summary>
    Candidate,

    /// <summary>The template, for the numbers candidates are compared with.</summary>
    Baseline,

    /// <summary>The reference solution.</summary>
    Reference,

    /// <summary>Part of verifying a scenario version.</summary>
    Verification,

    /// <summary>A repository's own test projects, run without a scenario (<c>assess grade --dir</c> alone).</summary>
    Repository,
}

/// <summary>Whether the candidate can see a test.</summary>
public enum TestVisibility
{
    /// <summary>In the candidate's repository.</summary>
    Public,

    /// <summary>The grader's; only its name and outcome are ever shown to a candidate.</summary>
    Hidden,
}

/// <summary>A test's result.</summary>
public enum TestStatus
{
    /// <summary>Passed.</summary>
    Pass,

    /// <summary>An assertion failed.</summary>
    Fail,

    /// <summary>It could not run to an assertion (exception, timeout, crash).</summary>
    Error,

    /// <summary>Not run.</summary>
    Skipped,
}

/// <summary>One test's outcome.</summary>
public sealed record TestOutcome
{
    /// <summary>The method name (hidden tests) or the fully qualified name (public tests).</summary>
    public required string Name { get; init; }

    /// <summary>Public or hidden.</summary>
    public required TestVisibility Visibility { get; init; }

    /// <summary>The phase a hidden test ran in.</summary>
    public string? Phase { get; init; }

    /// <summary>Pass, fail, error or skipped.</summary>
    public required TestStatus Status { get; init; }

    /// <summary>The failure message.</summary>
    public string? Message { get; init; }

    /// <summary>Captured output, capped.</summary>
    public string? Output { get; init; }

    /// <summary>True when output was cut at the cap.</summary>
    public bool OutputTruncated { get; init; }

    /// <summary>How long it ran.</summary>
    public double DurationMs { get; init; }
}

/// <summary>Which way a metric improves.</summary>
public enum MetricDirection
{
    /// <summary>Smaller is better.</summary>
    Lower,

    /// <summary>Larger is better.</summary>
    Higher,
}

/// <summary>One metric with the candidate's and the baseline's values.</summary>
public sealed record MetricOutcome
{
    /// <summary>The manifest's key.</summary>
    public required string Key { get; init; }

    /// <summary>Human title.</summary>
    public required string Title { get; init; }

    /// <summary>Unit of the values.</summary>
    public required string Unit { get; init; }

    /// <summary>Which way is better.</summary>
    public required MetricDirection Direction { get; init; }

    /// <summary>The scenario's primary metric.</summary>
    public bool Primary { get; init; }

    /// <summary>Counted by the hidden tests, or a timed latency.</summary>
    public required MetricKind Kind { get; init; }

    /// <summary>Median of the candidate's samples; null when not measured.</summary>
    public double? Candidate { get; init; }

    /// <summary>Median of the baseline's samples; null when not measured.</summary>
    public double? Baseline { get; init; }

    /// <summary>Candidate ÷ baseline.</summary>
    public double? Ratio { get; init; }

    /// <summary>Baseline ÷ candidate for lower-is-better, candidate ÷ baseline otherwise: above 1 is an improvement.</summary>
    public double? Improvement { get; init; }

    /// <summary>What the two sides' numbers say, given their noise.</summary>
    public required MetricComparison Comparison { get; init; }

    /// <summary>Where the baseline's numbers come from.</summary>
    public required BaselineSource BaselineSource { get; init; }

    /// <summary>Why a side was not measured or compared, or what failed while timing.</summary>
    public string? Note { get; init; }

    /// <summary>Interquartile range of the candidate's samples.</summary>
    public double? Spread { get; init; }

    /// <summary>Interquartile range of the baseline's samples.</summary>
    public double? BaselineSpread { get; init; }

    /// <summary>The candidate's raw samples.</summary>
    public IReadOnlyList<double> Samples { get; init; } = [];

    /// <summary>The baseline's raw samples.</summary>
    public IReadOnlyList<double> BaselineSamples { get; init; } = [];
}

/// <summary>How a metric is measured.</summary>
public enum MetricKind
{
    /// <summary>Taken by the hidden tests once per run (statements, buffers, loads, side effects):
    /// compared as numbers; a metric the manifest marks <c>deterministic: false</c> is measured on
    /// the baseline in every grading.</summary>
    Counted,

    /// <summary>A latency timed over rounds that alternate the sides: one sample per round.</summary>
    Timed,
}

/// <summary>What a metric's two sides say.</summary>
public enum MetricComparison
{
    /// <summary>The candidate is better than the baseline, beyond the noise.</summary>
    Better,

    /// <summary>The candidate is worse than the baseline, beyond the noise.</summary>
    Worse,

    /// <summary>The same count on both sides.</summary>
    Same,

    /// <summary>A timed metric whose spread swamps the change.</summary>
    NoMeasurableDifference,

    /// <summary>A side was not measured.</summary>
    NotCompared,
}

/// <summary>Where a metric's baseline figures come from.</summary>
public enum BaselineSource
{
    /// <summary>The template's service, measured in the same grading.</summary>
    Measured,

    /// <summary>Counted in an earlier grading of the same scenario version on the same image (deterministic counts only; never timings).</summary>
    Cached,

    /// <summary>Not measured.</summary>
    None,
}

/// <summary>How much a finding deserves a look.</summary>
public enum FindingSeverity
{
    /// <summary>Context for the reviewer.</summary>
    Info,

    /// <summary>Worth a look.</summary>
    Warning,

    /// <summary>Likely a problem.</summary>
    Concern,
}

/// <summary>How a file or a member differs from the template.</summary>
public enum ChangeKind
{
    /// <summary>Only in the graded tree.</summary>
    Added,

    /// <summary>Only in the template.</summary>
    Removed,

    /// <summary>In both, with different content.</summary>
    Modified,
}

/// <summary>A member (method, constructor, property, field, event) added, removed or changed.</summary>
/// <param name="Name">Type-qualified, with parameter types for overloads: <c>OrderEndpoints.List(AppDb, int)</c>.</param>
public sealed record MemberChange(string Name, ChangeKind Kind);

/// <summary>A file the graded tree has differently from the template.</summary>
/// <param name="Binary">True when either side is not text; lines are then not counted.</param>
/// <param name="Generated">Marked as generated by a tool (EF migrations' designer files, source generators); its members are not listed.</param>
public sealed record FileChangeOutcome(string Path, ChangeKind Kind, bool Binary, bool Generated, int LinesAdded, int LinesRemoved, IReadOnlyList<MemberChange> Members);

/// <summary>An automated observation pinned to a file and line.</summary>
public sealed record FindingOutcome(string Rule, FindingSeverity Severity, string Path, int? Line, string Message);

/// <summary>The side a stage ran on.</summary>
public enum Side
{
    /// <summary>The candidate's service, built and run.</summary>
    Candidate,

    /// <summary>The template's service, for comparison.</summary>
    Baseline,

    /// <summary>PostgreSQL, fakes, hidden tests and benchmarks.</summary>
    Grader,
}

/// <summary>How a stage ended.</summary>
public enum StageStatus
{
    /// <summary>Finished as expected.</summary>
    Ok,

    /// <summary>Finished with a failure.</summary>
    Failed,

    /// <summary>Killed at its wall-clock limit.</summary>
    TimedOut,

    /// <summary>Not run because an earlier stage failed.</summary>
    Skipped,
}

/// <summary>One stage's outcome.</summary>
/// <param name="Name">The plan step (<c>build</c>, <c>hidden-tests:main</c>).</param>
/// <param name="Side">Where it ran.</param>
/// <param name="Status">How it ended.</param>
/// <param name="DurationMs">Wall-clock time.</param>
/// <param name="ExitCode">The process's exit code, where there was one.</param>
/// <param name="Log">The end of what the stage printed (<see cref="Hosting.CommandResult.StageLogChars"/>),
/// for the reviewer; null for a stage that ran no command or printed nothing.</param>
public sealed record StageOutcome(string Name, Side Side, StageStatus Status, double DurationMs, int? ExitCode, string? Log = null);

/// <summary>Where the grading ran, and the isolation read back from the sides (not echoed from settings).</summary>
/// <param name="Host">local or docker.</param>
/// <param name="ImageDigest">The sandbox image, for the Docker host.</param>
/// <param name="Isolation">What each side observed about its own isolation.</param>
public sealed record RunEnvironment(string Host, string? ImageDigest, IReadOnlyDictionary<string, string> Isolation);
