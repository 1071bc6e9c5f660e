namespace Assessments.Web.Data;

public enum GradingStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,

    /// <summary>Not graded: a newer push of the same assessment was waiting (final submissions never are).</summary>
    Superseded,
}

/// <summary>One execution of the grading plan. A retried Hangfire job reuses the row and bumps
/// <see cref="Attempt"/>, so a grading is counted once however often it ran.</summary>
public sealed class GradingRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public GradingKind Kind { get; set; }

    public Guid ScenarioVersionId { get; set; }

    public ScenarioVersion? ScenarioVersion { get; set; }

    /// <summary>The verification this grading is part of (kind <see cref="GradingKind.Verification"/> only).</summary>
    public Guid? VerificationId { get; set; }

    /// <summary>What a verification grading grades: <c>template</c>, <c>solution</c> or <c>variant:NAME</c>.</summary>
    public string? Subject { get; set; }

    /// <summary>Required for candidate gradings, empty for the others.</summary>
    public Guid? SubmissionId { get; set; }

    public Submission? Submission { get; set; }

    public GradingStatus Status { get; set; } = GradingStatus.Queued;

    public GradingVerdict? Verdict { get; set; }

    /// <summary>The plan stage the verdict belongs to (<c>build</c>, <c>hidden-tests</c>, …).</summary>
    public string? Stage { get; set; }

    public int Attempt { get; set; }

    public string? HangfireJobId { get; set; }

    /// <summary>Who asked for this grading when a person did (an admin's re-grade); null for a
    /// push's own grading. A requested grading is run even when newer pushes wait.</summary>
    public string? RequestedBy { get; set; }

    public DateTimeOffset QueuedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Digest of the sandbox image the grading ran in.</summary>
    public string? ImageDigest { get; set; }

    /// <summary>The whole results document (results.schema.json) as written by the runner.</summary>
    public string? Report { get; set; }

    /// <summary>The grading's log, capped; <see cref="LogTruncated"/> says when bytes were dropped.</summary>
    public string? Log { get; set; }

    public bool LogTruncated { get; set; }

    public List<TestResult> Tests { get; set; } = [];

    public List<MetricSample> Metrics { get; set; } = [];

    public List<Finding> Findings { get; set; } = [];
}

public sealed class TestResult
{
    public long Id { get; set; }

    public Guid GradingRunId { get; set; }

    /// <summary>Position in the report, so pages list tests in the order they ran.</summary>
    public int Ordinal { get; set; }

    public required string Name { get; set; }

    public TestResultVisibility Visibility { get; set; }

    public TestResultStatus Status { get; set; }

    public string? Message { get; set; }

    /// <summary>Captured output, capped by the runner.</summary>
    public string? Output { get; set; }

    public double? DurationMs { get; set; }
}

/// <summary>One metric of a grading: the candidate's and the baseline's value, measured in the same run.</summary>
public sealed class MetricSample
{
    public long Id { get; set; }

    public Guid GradingRunId { get; set; }

    public required string Key { get; set; }

    public required string Unit { get; set; }

    public MetricSampleDirection Direction { get; set; }

    public bool IsPrimary { get; set; }

    /// <summary>Counted by the hidden tests, or a timed latency (one sample per round).</summary>
    public MetricSampleKind Kind { get; set; }

    public double? CandidateValue { get; set; }

    public double? BaselineValue { get; set; }

    /// <summary>Candidate ÷ baseline.</summary>
    public double? Ratio { get; set; }

    /// <summary>What the two sides say given their noise ("no measurable difference" for a latency the spread swamps).</summary>
    public MetricSampleComparison Comparison { get; set; }

    /// <summary>Measured beside the candidate, or kept from an earlier grading of the version (counts only).</summary>
    public MetricBaselineSource BaselineSource { get; set; }

    /// <summary>Why a side was not measured, or what failed while timing.</summary>
    public string? Note { get; set; }

    /// <summary>Interquartile range of the candidate's samples (zero for counted metrics).</summary>
    public double? Spread { get; set; }

    public double? BaselineSpread { get; set; }

    /// <summary>The raw samples, candidate's then baseline's, so the spread can be checked.</summary>
    public double[] CandidateSamples { get; set; } = [];

    public double[] BaselineSamples { get; set; } = [];
}

/// <summary>An automated observation on the candidate's change, pinned to a file and line.</summary>
public sealed class Finding
{
    public long Id { get; set; }

    public Guid GradingRunId { get; set; }

    public required string Rule { get; set; }

    public FindingLevel Severity { get; set; }

    public required string Path { get; set; }

    public int? Line { get; set; }

    public required string Message { get; set; }
}
