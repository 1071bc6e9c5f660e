namespace Assessments.Web.Data;

/// <summary>A stage of a grading starting or ending, written by the worker as it happens so a
/// reviewer's page can show progress live. Append-only: the id orders them, and a page that
/// reconnects asks for the ids after the last one it saw.</summary>
public sealed class GradingStageEvent
{
    public long Id { get; set; }

    public Guid GradingRunId { get; set; }

    /// <summary>The attempt of the run it belongs to; a retried grading starts its stages again.</summary>
    public int Attempt { get; set; }

    /// <summary>The plan step (<c>build</c>, <c>hidden-tests:main</c>).</summary>
    public required string Stage { get; set; }

    public StageSide Side { get; set; }

    /// <summary>Null while the stage runs; how it ended once it has.</summary>
    public StageResult? Status { get; set; }

    public double? DurationMs { get; set; }

    public int? ExitCode { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>A file the graded tree has differently from the template, with both texts (capped),
/// so the report page can show the change without reading git or the package again.</summary>
public sealed class GradingFile
{
    public long Id { get; set; }

    public Guid GradingRunId { get; set; }

    public required string Path { get; set; }

    public FileChangeKind Kind { get; set; }

    public bool Binary { get; set; }

    /// <summary>Written by a tool (migrations' designer files, generated sources): collapsed on the page.</summary>
    public bool Generated { get; set; }

    public int LinesAdded { get; set; }

    public int LinesRemoved { get; set; }

    /// <summary>The template's text; null when the file is new, binary or over the cap.</summary>
    public string? TemplateText { get; set; }

    /// <summary>The candidate's text; null when the file was removed, is binary or over the cap.</summary>
    public string? CandidateText { get; set; }

    /// <summary>True when a side's text was over the cap and not stored.</summary>
    public bool TextOmitted { get; set; }
}
