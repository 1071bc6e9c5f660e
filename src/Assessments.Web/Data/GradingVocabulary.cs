namespace Assessments.Web.Data;

// The words a stored grading is made of. They are the results contract's (Assessments.Runner.Results)
// names, stored as text, but declared here so the data model does not depend on the engine: the
// one place a report becomes rows (Features/Grading/StoredReports) maps them by name, and a test
// holds the two lists equal (decision 015).

/// <summary>Why a grading ran: a candidate's push, or one of a scenario version's own trees.</summary>
public enum GradingKind
{
    Candidate,
    Baseline,
    Reference,
    Verification,
    Repository,
}

/// <summary>A grading's outcome in one word.</summary>
public enum GradingVerdict
{
    Passed,
    TestsFailed,
    BuildFailed,
    TimedOut,
    OutOfMemory,
    OutputLimit,
    ResourceLimit,
    NotAllowed,
    SandboxError,
}

/// <summary>Whether the candidate saw the test.</summary>
public enum TestResultVisibility
{
    Public,
    Hidden,
}

public enum TestResultStatus
{
    Pass,
    Fail,
    Error,
    Skipped,
}

/// <summary>Which way a metric improves.</summary>
public enum MetricSampleDirection
{
    Lower,
    Higher,
}

/// <summary>Counted by the hidden tests, or timed.</summary>
public enum MetricSampleKind
{
    Counted,
    Timed,
}

/// <summary>What the two sides of a metric say given their noise.</summary>
public enum MetricSampleComparison
{
    Better,
    Worse,
    Same,
    NoMeasurableDifference,
    NotCompared,
}

/// <summary>Where a metric's baseline value came from.</summary>
public enum MetricBaselineSource
{
    Measured,
    Cached,
    None,
}

public enum FindingLevel
{
    Info,
    Warning,
    Concern,
}

/// <summary>Where a stage ran.</summary>
public enum StageSide
{
    Candidate,
    Baseline,
    Grader,
}

/// <summary>How a stage ended.</summary>
public enum StageResult
{
    Ok,
    Failed,
    TimedOut,
    Skipped,
}

/// <summary>How a file of the graded tree differs from the template.</summary>
public enum FileChangeKind
{
    Added,
    Removed,
    Modified,
}
