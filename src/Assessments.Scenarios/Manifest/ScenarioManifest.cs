namespace Assessments.Scenarios.Manifest;

/// <summary>The parsed <c>scenario.yaml</c>. The format is documented in <c>docs/scenarios.md</c>.</summary>
public sealed record ScenarioManifest
{
    /// <summary>Folder name and identity: lower-case letters, digits and dashes.</summary>
    public required string Id { get; init; }

    /// <summary>The author's label; the content hash is the version's real identity.</summary>
    public required string Version { get; init; }

    /// <summary>Title shown to hiring teams and candidates.</summary>
    public required string Title { get; init; }

    /// <summary>One sentence for the library list.</summary>
    public required string Summary { get; init; }

    /// <summary>Seniority the scenario is written for.</summary>
    public required ScenarioLevel Level { get; init; }

    /// <summary>How long a prepared candidate needs.</summary>
    public required TimeSpan SuggestedTime { get; init; }

    /// <summary>Skills it exercises (tags).</summary>
    public required IReadOnlyList<string> Skills { get; init; }

    /// <summary>The candidate-facing brief, Markdown.</summary>
    public required string Brief { get; init; }

    /// <summary>What reviewers score; weights add up to 100.</summary>
    public required IReadOnlyList<RubricCriterion> Rubric { get; init; }

    /// <summary>Measured numbers; exactly one is primary.</summary>
    public required IReadOnlyList<MetricDefinition> Metrics { get; init; }

    /// <summary>How the grader builds, starts and configures the candidate's service.</summary>
    public required ServiceContract Service { get; init; }

    /// <summary>The grader's fake outside services, if the scenario has any.</summary>
    public FakesDefinition? Fakes { get; init; }

    /// <summary>The hidden black-box tests.</summary>
    public required HiddenTestsDefinition Hidden { get; init; }

    /// <summary>The phases hidden tests run in, in order.</summary>
    public required IReadOnlyList<PhaseDefinition> Phases { get; init; }

    /// <summary>NuGet packages the service may use, by id and exact version.</summary>
    public required IReadOnlyList<AllowedPackage> Packages { get; init; }

    /// <summary>Resource and time limits per grading.</summary>
    public required ScenarioLimits Limits { get; init; }

    /// <summary>Other fixes and the outcome each must get at verification.</summary>
    public required IReadOnlyList<VariantDefinition> Variants { get; init; }

    /// <summary>Endpoints timed on the baseline and the candidate side by side; null for none.</summary>
    public BenchmarksDefinition? Benchmarks { get; init; }

    /// <summary>Template files, or folders ending in <c>/</c>, a fix has no reason to edit (the
    /// seed data the metrics are measured on, say): an edit is a finding for the reviewer.</summary>
    public IReadOnlyList<string> Locked { get; init; } = [];

    /// <summary>The primary metric (validation guarantees exactly one).</summary>
    public MetricDefinition PrimaryMetric => Metrics.Single(m => m.Primary);
}

/// <summary>Seniority a scenario is written for.</summary>
public enum ScenarioLevel
{
    /// <summary>Early career.</summary>
    Junior,

    /// <summary>Mid level.</summary>
    Mid,

    /// <summary>Senior.</summary>
    Senior,

    /// <summary>Staff and above.</summary>
    Staff,
}


/// <summary>Which way a metric improves.</summary>
public enum MetricDirection
{
    /// <summary>Smaller is better (statements, loads, side effects).</summary>
    Lower,

    /// <summary>Larger is better (throughput).</summary>
    Higher,
}

/// <summary>A number the hidden tests count (statements, buffers, loads, side effects), shown with
/// the baseline's count.</summary>
/// <param name="Deterministic">The template gives the same count every run, so its count may be
/// kept per scenario version instead of measured in every grading; <c>deterministic: false</c> in
/// the manifest for a count that depends on timing.</param>
public sealed record MetricDefinition(string Key, string Title, string Unit, MetricDirection Direction, bool Primary, SourceLocation At, bool Deterministic = true);

/// <summary>How endpoints are timed: both services answer <see cref="Requests"/> sequential
/// requests per endpoint in each of <see cref="Rounds"/> rounds, the sides taking turns, after
/// <see cref="Warmup"/> untimed requests each.</summary>
/// <param name="MinimumDifferenceMs">Medians closer than this are no measurable difference,
/// whatever the spread says: on a shared machine a tenth of a millisecond is noise.</param>
public sealed record BenchmarksDefinition(int Rounds, int Warmup, int Requests, IReadOnlyList<BenchmarkEndpoint> Endpoints, SourceLocation At, double MinimumDifferenceMs = BenchmarksDefinition.DefaultMinimumDifferenceMs)
{
    /// <summary>The floor when the manifest sets none: a quarter of a millisecond, several times
    /// the round-to-round drift of a sub-millisecond endpoint measured on this project's machines.</summary>
    public const double DefaultMinimumDifferenceMs = 0.25;
}

/// <summary>An endpoint timed by GET; it gives two metrics, its median and its 95th percentile
/// latency (<c>latency_NAME_p50</c>, <c>latency_NAME_p95</c>).</summary>
/// <param name="Name">Lower-case letters, digits and underscores; part of the metric keys.</param>
/// <param name="Title">What the endpoint is, for the report.</param>
/// <param name="Path">Path and query, starting with <c>/</c>.</param>
public sealed record BenchmarkEndpoint(string Name, string Title, string Path, SourceLocation At)
{
    /// <summary>The metric key of the median latency.</summary>
    public string MedianKey => $"latency_{Name}_p50";

    /// <summary>The metric key of the 95th percentile latency.</summary>
    public string P95Key => $"latency_{Name}_p95";

    /// <summary>The title of the median latency metric.</summary>
    public string MedianTitle => $"{Title}: median latency";

    /// <summary>The title of the 95th percentile latency metric.</summary>
    public string P95Title => $"{Title}: 95th percentile latency";
}

/// <summary>The contract between the grader and the service: what to build, how to start and configure it.</summary>
/// <param name="Project">The service's project, relative to <c>template/</c>.</param>
/// <param name="PublicTests">The public test project, relative to <c>template/</c>.</param>
/// <param name="Health">Path answered with 2xx once the service is ready.</param>
/// <param name="StartupTimeout">How long to wait for health after start.</param>
/// <param name="Environment">Variables the grader sets; values may hold placeholders (<c>{port}</c>, <c>{database}</c>, <c>{fake.NAME}</c>).</param>
/// <param name="At">Where the section starts.</param>
/// <param name="PublicTestsMustPass">A failing public test fails the grading (the default); false
/// makes them informational. Either way the report lists every public test that failed.</param>
public sealed record ServiceContract(
    string Project,
    string? PublicTests,
    string Health,
    TimeSpan StartupTimeout,
    IReadOnlyDictionary<string, string> Environment,
    SourceLocation At,
    bool PublicTestsMustPass = true);

/// <summary>The fakes process and the names it serves.</summary>
public sealed record FakesDefinition(string Project, IReadOnlyList<string> Names, SourceLocation At);

/// <summary>The hidden test project and the tests it must contain.</summary>
public sealed record HiddenTestsDefinition(string Project, IReadOnlyList<HiddenTestDefinition> Tests, SourceLocation At);

/// <summary>A hidden test by method name, its phase, and what it must do on the template: fail
/// with a message containing <paramref name="FailsOnTemplateWith"/>, or — for a guard that pins
/// behaviour a fix must keep (the response is unchanged, changed data shows up) — pass.</summary>
/// <param name="Name">The test method's name.</param>
/// <param name="Phase">The phase it runs in.</param>
/// <param name="FailsOnTemplateWith">Part of its failure message on the template; null for a guard.</param>
/// <param name="At">Where it is declared.</param>
public sealed record HiddenTestDefinition(string Name, string Phase, string? FailsOnTemplateWith, SourceLocation At)
{
    /// <summary>A guard passes on the template and must keep passing with any valid fix.</summary>
    public bool IsGuard => FailsOnTemplateWith is null;
}

/// <summary>A group of hidden tests; the host restarts the service first when asked.</summary>
/// <param name="Instances">How many instances of the service run during the phase, all on the
/// same database: production runs replicas, and what only goes wrong between two processes
/// (a lock held in memory, a cache one of them fills) shows only with two.</param>
public sealed record PhaseDefinition(string Name, bool RestartService, SourceLocation At, int Instances = 1)
{
    /// <summary>The most instances a phase may ask for.</summary>
    public const int MaximumInstances = 4;
}

/// <summary>A NuGet package the service may restore.</summary>
public sealed record AllowedPackage(string Id, string Version, SourceLocation At);

/// <summary>Limits applied to every grading of the scenario.</summary>
public sealed record ScenarioLimits(TimeSpan Build, TimeSpan Tests, long MemoryBytes, int Processes);

/// <summary>What a variant must get at verification.</summary>
public enum VariantExpectation
{
    /// <summary>Every hidden test passes.</summary>
    Pass,

    /// <summary>At least the named hidden test fails.</summary>
    Fail,
}

/// <summary>Another fix, laid over the template from <c>variants/NAME/</c>, and its expected outcome.</summary>
public sealed record VariantDefinition(string Name, VariantExpectation Expect, string? FailingTest, SourceLocation At);
