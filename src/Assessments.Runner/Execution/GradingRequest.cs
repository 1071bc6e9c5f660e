using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Execution;

/// <summary>One grading: a scenario version, the tree to grade, and what it is.</summary>
/// <param name="Package">The scenario version (its hidden tests, fakes and contract).</param>
/// <param name="Tree">The files of the service's repository to grade: the template, the template
/// with an overlay, or a candidate's commit.</param>
/// <param name="Subject">What the tree is, as the report names it.</param>
/// <param name="CompareWithBaseline">Run the template's service beside the graded one for the
/// metrics' baseline column and the timed endpoints; false where nobody reads the comparison (the
/// template's own grading and the variants at verification).</param>
/// <param name="RunPublicTests">Build and run the tree's public tests; false where only the hidden
/// tests' outcome is read (the variants at verification: a shortcut is judged by the hidden tests,
/// and its public tests are the template's).</param>
/// <param name="StopAfterFailing">A hidden test whose failure ends the grading with the phase it
/// failed in: the later phases are not run, and their tests are reported skipped. Set for a variant
/// at verification that is expected to fail this test, where the later phases would only repeat
/// the verdict; null (every phase runs) for everything a reviewer reads.</param>
public sealed record GradingRequest(
    ScenarioPackage Package,
    IReadOnlyList<PackageFile> Tree,
    SubjectRef Subject,
    bool CompareWithBaseline = true,
    bool RunPublicTests = true,
    string? StopAfterFailing = null)
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
/// <param name="GraderBuildCache">Where builds of a version's hidden tests and fakes are kept, by
/// content hash and the host's build scope, so each version builds them once; null to build them
/// in every grading.</param>
public sealed record GradingEngineOptions(string? GraderBuildCache = null)
{
    /// <summary>The machine's cache folder: <c>$XDG_CACHE_HOME/assessments</c>, or <c>/tmp/assessments-cache</c>.</summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? Path.Combine(xdg, "assessments")
            : Path.Combine(Path.GetTempPath(), "assessments-cache");
}
