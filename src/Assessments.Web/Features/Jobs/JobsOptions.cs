using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Jobs;

/// <summary>Hangfire storage and the worker role's servers.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Gradings that run at once in one worker process. Each grading drives several
    /// containers that build and benchmark, so on a 2-core machine one at a time is right.</summary>
    [Range(1, 64, ErrorMessage = "Jobs:GradingConcurrency must be between 1 and 64")]
    public int GradingConcurrency { get; set; } = 1;

    /// <summary>Workers for the light queues (provisioning, deadlines, cleanup, probes).</summary>
    [Range(1, 64, ErrorMessage = "Jobs:DefaultConcurrency must be between 1 and 64")]
    public int DefaultConcurrency { get; set; } = 2;

    /// <summary>How long a job fetched by a worker that died stays invisible before another worker
    /// takes it. The timeout slides while the worker is alive, so long gradings are not taken twice.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00", ErrorMessage = "Jobs:InvisibilityTimeout must be between 00:00:30 and 01:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>PostgreSQL schema that holds Hangfire's tables.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]*$", ErrorMessage = "Jobs:Schema must be a plain lower-case identifier")]
    public string Schema { get; set; } = "hangfire";
}

/// <summary>The queues the worker role listens on. Names are Hangfire's: lower case, no dashes.</summary>
public static class JobQueues
{
    public const string Grading = "grading";

    public const string Default = "default";

    /// <summary>Every queue a worker process serves, for operators' probes.</summary>
    public static readonly string[] All = [Grading, Default];
}
