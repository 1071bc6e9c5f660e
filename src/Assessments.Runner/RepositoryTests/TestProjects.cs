using System.Text;
using System.Text.RegularExpressions;
using Assessments.Scenarios;

namespace Assessments.Runner.RepositoryTests;

/// <summary>Which xunit a test project uses, and so how its tests are run.</summary>
public enum XunitGeneration
{
    /// <summary>xunit 2 (<c>xunit</c>, <c>xunit.core</c>): run through VSTest (<c>dotnet test</c>), results as TRX.</summary>
    V2,

    /// <summary>xunit.v3: a test executable, results as xunit XML.</summary>
    V3,
}

/// <summary>A test project of a repository.</summary>
/// <param name="Path">The project file, relative to the repository root.</param>
/// <param name="AssemblyName">The assembly the build writes (the project's <c>AssemblyName</c>, else its file name).</param>
public sealed record TestProject(string Path, XunitGeneration Xunit, string AssemblyName)
{
    /// <summary>The project's folder, relative to the repository root ("" at the root).</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)?.Replace('\\', '/') ?? "";
}

/// <summary>Finds the xunit test projects of a tree by their package references.</summary>
public static partial class TestProjects
{
    /// <summary>Every project that references xunit.v3 or xunit 2, in path order.</summary>
    public static IReadOnlyList<TestProject> Find(IEnumerable<PackageFile> tree) =>
        tree.Where(f => f.Path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
            .Select(f => (File: f, Text: Encoding.UTF8.GetString(f.Content)))
            .Select(p => (p.File, p.Text, References: PackageReference().Matches(p.Text).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToList()))
            .Select(p =>
            {
                var generation = p.References.Any(r => r.StartsWith("xunit.v3", StringComparison.Ordinal)) ? XunitGeneration.V3
                    : p.References.Any(r => r is "xunit" or "xunit.core") ? XunitGeneration.V2
                    : (XunitGeneration?)null;
                var assembly = AssemblyNameProperty().Match(p.Text) is { Success: true } named
                    ? named.Groups[1].Value.Trim()
                    : System.IO.Path.GetFileNameWithoutExtension(p.File.Path);
                return generation is { } g ? new TestProject(p.File.Path, g, assembly) : null;
            })
            .OfType<TestProject>()
            .OrderBy(p => p.Path, StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex(@"<PackageReference\s+[^>]*Include\s*=\s*""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex PackageReference();

    [GeneratedRegex("<AssemblyName>([^<$]+)</AssemblyName>")]
    private static partial Regex AssemblyNameProperty();
}

/// <summary>Which xunit.v3 in-process runner a built test project carries.</summary>
public static partial class XunitV3Runner
{
    /// <summary>The runner's major version from the build's <c>.deps.json</c>; null when it names none.</summary>
    public static int? MajorVersion(string? depsJson) =>
        depsJson is not null && RunnerLibrary().Match(depsJson) is { Success: true } match
            ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"""xunit\.v3\.runner\.inproc\.console/(\d+)\.")]
    private static partial Regex RunnerLibrary();
}
