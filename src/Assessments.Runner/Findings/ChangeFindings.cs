using System.Text;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Assessments.Runner.Findings;

/// <summary>What the reviewer should look at in the candidate's change: findings pinned to the
/// file and line the candidate wrote, each with a short why. The candidate's C# is parsed and
/// bound in memory against the framework's own assemblies (never built with MSBuild, never run);
/// code the template already had is not flagged.</summary>
public static class ChangeFindings
{
    /// <summary>Build files that run code during the build: worth a look whenever they change.</summary>
    private static readonly string[] BuildInfrastructure = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "NuGet.config", "nuget.config", "global.json"];

    /// <summary>Findings on the candidate's change against the template.</summary>
    /// <param name="changes">The comparison of the two trees (<see cref="TreeComparison.Compare"/>).</param>
    /// <param name="candidate">The candidate's whole tree: unchanged files give the compilation its context.</param>
    /// <param name="lockedPaths">Files or folders (ending in <c>/</c>) the scenario tells the candidate not to edit.</param>
    public static IReadOnlyList<FindingOutcome> Find(IReadOnlyList<FileChange> changes, IReadOnlyList<PackageFile> candidate, IReadOnlyList<string> lockedPaths)
    {
        var findings = new List<FindingOutcome>();
        foreach (var change in changes)
        {
            if (lockedPaths.FirstOrDefault(locked => locked.EndsWith('/') ? change.Path.StartsWith(locked, StringComparison.Ordinal) : change.Path == locked) is { } match)
            {
                findings.Add(new FindingOutcome(FindingRule.LockedPath, FindingSeverity.Concern, change.Path, null,
                    $"The scenario locks {match}: it is the grader's or fixed by the ticket, and the candidate {Verb(change.Kind)} it."));
            }
            else if (IsBuildInfrastructure(change.Path))
            {
                findings.Add(new FindingOutcome(FindingRule.BuildInfrastructure, FindingSeverity.Warning, change.Path, null,
                    $"The candidate {Verb(change.Kind)} a build file; MSBuild runs what it says during the build, so check it does only what the change needs."));
            }
        }

        var sources = candidate.Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal)).ToList();
        var changed = changes.Where(c => c.Kind != ChangeKind.Removed && !c.Binary && !c.Generated && c.Path.EndsWith(".cs", StringComparison.Ordinal))
            .ToDictionary(c => c.Path, StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            return findings;
        }

        var trees = sources.Select(f => CSharpSyntaxTree.ParseText(Encoding.UTF8.GetString(f.Content), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), path: f.Path)).ToList();
        var compilation = CSharpCompilation.Create("candidate", trees, FrameworkReferences.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        foreach (var tree in trees)
        {
            if (!changed.TryGetValue(tree.FilePath, out var change))
            {
                continue;
            }

            var walker = new FindingWalker(compilation.GetSemanticModel(tree), tree.FilePath, IsProductCode(tree.FilePath));
            walker.Visit(tree.GetRoot());
            findings.AddRange(walker.Findings.Where(f => f.Line is { } line && change.AddedLines.Contains(line)));
        }

        return findings;
    }

    /// <summary>Test projects and test folders are not product code: sleeping there is normal.</summary>
    internal static bool IsProductCode(string path) =>
        !path.Split('/').SkipLast(1).Any(segment => segment.Equals("tests", StringComparison.OrdinalIgnoreCase)
            || segment.Equals("test", StringComparison.OrdinalIgnoreCase)
            || segment.EndsWith(".Tests", StringComparison.OrdinalIgnoreCase)
            || segment.EndsWith(".Test", StringComparison.OrdinalIgnoreCase));

    private static bool IsBuildInfrastructure(string path)
    {
        var name = path.Split('/')[^1];
        return BuildInfrastructure.Contains(name, StringComparer.OrdinalIgnoreCase)
            || name.EndsWith(".targets", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".props", StringComparison.OrdinalIgnoreCase);
    }

    private static string Verb(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => "added",
        ChangeKind.Removed => "removed",
        _ => "changed",
    };

    /// <summary>The running framework's assemblies: enough to bind the BCL (tasks, threads,
    /// environment, reflection); package types stay unresolved and the rules fall back to syntax.</summary>
    private static readonly Lazy<IReadOnlyList<MetadataReference>> FrameworkReferences = new(() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList());
}
