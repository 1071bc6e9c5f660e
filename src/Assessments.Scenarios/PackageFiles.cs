using System.Text;

namespace Assessments.Scenarios;

/// <summary>One file of a package: its path relative to the package root with forward slashes,
/// whether it is executable, and its bytes.</summary>
public sealed record PackageFile(string Path, bool Executable, byte[] Content)
{
    /// <summary>The git-style mode the hash and archives record: 100755 or 100644.</summary>
    public string Mode => Executable ? "100755" : "100644";
}

/// <summary>Reads the files of a package folder in canonical order.</summary>
public static class PackageFiles
{
    /// <summary>Build and editor output a scenario folder may hold on an author's machine; never
    /// part of the package (they are also git-ignored).</summary>
    public static readonly IReadOnlySet<string> IgnoredDirectories = new HashSet<string>(StringComparer.Ordinal)
    {
        "bin", "obj", ".vs", ".idea", "TestResults", "node_modules",
    };

    /// <summary>Every file below <paramref name="root"/>, sorted by the ordinal order of their UTF-8
    /// paths. Links are reported, never followed: a package is plain files.</summary>
    public static (IReadOnlyList<PackageFile> Files, IReadOnlyList<ScenarioError> Errors) Read(string root, string displayRoot)
    {
        var files = new List<PackageFile>();
        var errors = new List<ScenarioError>();
        Walk(new DirectoryInfo(root), "", displayRoot, files, errors);
        files.Sort((a, b) => CompareOrdinalUtf8(a.Path, b.Path));
        return (files, errors);
    }

    /// <summary>Orders paths by their UTF-8 bytes, so every platform agrees on the order.</summary>
    public static int CompareOrdinalUtf8(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    private static void Walk(DirectoryInfo directory, string relative, string displayRoot, List<PackageFile> files, List<ScenarioError> errors)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            var path = relative.Length == 0 ? entry.Name : $"{relative}/{entry.Name}";
            if (entry.LinkTarget is not null)
            {
                errors.Add(new ScenarioError(new SourceLocation($"{displayRoot}/{path}"), "", $"is a link (to {entry.LinkTarget}); a package holds plain files only"));
                continue;
            }

            if (entry is DirectoryInfo child)
            {
                if (!IgnoredDirectories.Contains(child.Name))
                {
                    Walk(child, path, displayRoot, files, errors);
                }

                continue;
            }

            var executable = !OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(entry.FullName) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
            files.Add(new PackageFile(path, executable, File.ReadAllBytes(entry.FullName)));
        }
    }
}
