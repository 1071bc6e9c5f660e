using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Execution;

/// <summary>One grading: a scenario version, the tree to grade, and what it is.</summary>
/// <param name="Package">The scenario version (its hidden tests, fakes and contract).</param>
/// <param name="Tree">The files of the service's repository to grade: the template, the template
/// with an overlay, or a candidate's commit.</param>
/// <param name="Subject">What the tree is, as the report names it.</param>
/// <param name="Baseline">Metric samples of the template measured earlier for this version (deterministic
/// metrics only), used as the baseline column; null for none.</param>
public sealed record GradingRequest(
    ScenarioPackage Package,
    IReadOnlyList<PackageFile> Tree,
    SubjectRef Subject,
    IReadOnlyDictionary<string, List<double>>? Baseline = null)
{
    /// <summary>The template with <paramref name="overlay"/> laid over it: same paths replaced, new ones added.</summary>
    public static IReadOnlyList<PackageFile> Overlay(IEnumerable<PackageFile> template, IEnumerable<PackageFile> overlay)
    {
        var files = template.ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var file in overlay)
        {
            files[file.Path] = file;
        }

        return files.Values.OrderBy(f => f.Path, Comparer<string>.Create(PackageFiles.CompareOrdinalUtf8)).ToList();
    }
}

/// <summary>Settings of the engine itself.</summary>
/// <param name="PostgresBin">Folder of the PostgreSQL server binaries on the grader side.</param>
/// <param name="GraderBuildCache">Where builds of a version's hidden tests and fakes are kept, by
/// content hash, so each version builds them once; null to build them in every grading.</param>
public sealed record GradingEngineOptions(string PostgresBin, string? GraderBuildCache = null)
{
    /// <summary>The newest <c>/usr/lib/postgresql/*/bin</c> on this machine.</summary>
    public static GradingEngineOptions ForThisMachine()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return new GradingEngineOptions(
            bin ?? throw new InvalidOperationException("No PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian's postgresql package."),
            Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Path.GetTempPath(), "assessments-cache"), "grader-builds"));
    }
}
