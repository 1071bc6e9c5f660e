using System.Text;
using Assessments.Scenarios;

namespace Assessments.Runner.Benchmarks;

/// <summary>The latency harness as a project the grader's side builds with the image's own SDK:
/// <see cref="LatencyHarness"/>'s source, an entry point and a project file. Nothing to restore,
/// so it builds offline; its content hash keys the build cache.</summary>
public static class LatencyHarnessProject
{
    /// <summary>The project file, relative to the folder <see cref="Files"/> go to.</summary>
    public const string ProjectFile = "LatencyHarness.csproj";

    /// <summary>The built program, relative to the build's output folder.</summary>
    public const string Program = "LatencyHarness.dll";

    private const string ProjectXml = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <InvariantGlobalization>true</InvariantGlobalization>
            <!-- Server GC would take a core from the services it measures. -->
            <ServerGarbageCollection>false</ServerGarbageCollection>
            <ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>
            <TieredPGO>true</TieredPGO>
          </PropertyGroup>
        </Project>
        """;

    private const string EntryPoint = "return await Assessments.Runner.Benchmarks.LatencyHarness.MainAsync(args);\n";

    // Empty: MSBuild looks for these in every folder up to the root, and a workspace below a
    // repository (the local host's scratch folder, say) must not pick that repository's up.
    private const string EmptyProject = "<Project />\n";

    private static readonly Lazy<IReadOnlyList<PackageFile>> AllFiles = new(() =>
    {
        using var stream = typeof(LatencyHarnessProject).Assembly.GetManifestResourceStream("Assessments.Runner.Benchmarks.LatencyHarness.cs")
            ?? throw new InvalidOperationException("The latency harness's source is not embedded in the runner.");
        using var source = new MemoryStream();
        stream.CopyTo(source);
        PackageFile[] files =
        [
            Text("Directory.Build.props", EmptyProject),
            Text("Directory.Build.targets", EmptyProject),
            Text("Directory.Packages.props", EmptyProject),
            new("LatencyHarness.cs", false, source.ToArray()),
            Text(ProjectFile, ProjectXml),
            Text("Program.cs", EntryPoint),
        ];
        return files.OrderBy(f => f.Path, Comparer<string>.Create(PackageFiles.CompareOrdinalUtf8)).ToList();
    });

    private static readonly Lazy<string> Hash = new(() => ContentHash.Compute(AllFiles.Value));

    /// <summary>The project's files, in canonical order.</summary>
    public static IReadOnlyList<PackageFile> Files => AllFiles.Value;

    /// <summary>The content hash of <see cref="Files"/>: the same source builds once per image.</summary>
    public static string SourceHash => Hash.Value;

    private static PackageFile Text(string path, string content) => new(path, false, Encoding.UTF8.GetBytes(content));
}
