namespace Assessments.Web.Data;

/// <summary>How many times something happened in one minute, summed over every process that
/// counted it (webhook deliveries by outcome, gradings by verdict, sandbox errors by cause): the
/// history behind <c>/ops</c>. Each process adds its counts about once a minute.</summary>
public sealed class OperationCount
{
    /// <summary>The minute's start, UTC.</summary>
    public DateTimeOffset Minute { get; set; }

    /// <summary>What was counted (<c>webhook.deliveries</c>).</summary>
    public required string Name { get; set; }

    /// <summary>Which kind of it (<c>duplicate</c>).</summary>
    public required string Label { get; set; }

    public long Count { get; set; }
}

/// <summary>A figure read from the database in one minute (the grading queue, the outbox's
/// backlog): every process reads the same rows, so the last write of the minute stands.</summary>
public sealed class OperationGauge
{
    public DateTimeOffset Minute { get; set; }

    public required string Name { get; set; }

    public double Value { get; set; }
}
