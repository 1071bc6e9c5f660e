using Assessments.Scenarios.Manifest;

namespace Assessments.Scenarios;

/// <summary>A loaded, valid scenario package: its manifest, its files in canonical order and the
/// content hash that makes it an immutable version.</summary>
public sealed class ScenarioPackage
{
    /// <summary>The manifest file's name inside a package folder.</summary>
    public const string ManifestFileName = "scenario.yaml";

    private ScenarioPackage(string directory, ScenarioManifest manifest, IReadOnlyList<PackageFile> files, string contentHash)
    {
        Directory = directory;
        Manifest = manifest;
        Files = files;
        ContentHash = contentHash;
    }

    /// <summary>Where the package was loaded from (empty for one read from an archive).</summary>
    public string Directory { get; }

    /// <summary>The parsed manifest.</summary>
    public ScenarioManifest Manifest { get; }

    /// <summary>Every file, in canonical order.</summary>
    public IReadOnlyList<PackageFile> Files { get; }

    /// <summary>Lower-case hex SHA-256 over the canonical form.</summary>
    public string ContentHash { get; }

    /// <summary>The files under <c>template/</c>, with that prefix removed: what a candidate receives.</summary>
    public IEnumerable<PackageFile> TemplateFiles => Under("template");

    /// <summary>The files under <c>solution/</c>, with that prefix removed.</summary>
    public IEnumerable<PackageFile> SolutionFiles => Under("solution");

    /// <summary>The files under <c>variants/NAME/</c>, with that prefix removed.</summary>
    public IEnumerable<PackageFile> VariantFiles(string name) => Under($"variants/{name}");

    /// <summary>Files below <paramref name="folder"/> with the folder prefix removed.</summary>
    public IEnumerable<PackageFile> Under(string folder)
    {
        var prefix = folder.TrimEnd('/') + "/";
        return Files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).Select(f => f with { Path = f.Path[prefix.Length..] });
    }

    /// <summary>Loads and validates the package in <paramref name="directory"/>.</summary>
    /// <param name="directory">The package folder.</param>
    /// <param name="displayRoot">How errors name the folder (<c>scenarios/n-plus-one</c>); defaults to the path given.</param>
    public static ScenarioLoadResult Load(string directory, string? displayRoot = null)
    {
        var display = (displayRoot ?? directory).TrimEnd('/');
        if (!System.IO.Directory.Exists(directory))
        {
            return ScenarioLoadResult.Failed(new ScenarioError(new SourceLocation(display), "", "no such folder"));
        }

        var (files, fileErrors) = PackageFiles.Read(directory, display);
        return FromFiles(files, fileErrors, directory, display, Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/')));
    }

    /// <summary>Loads and validates a package from an archive written by <see cref="PackageArchive"/>.</summary>
    public static async Task<ScenarioLoadResult> LoadArchiveAsync(Stream archive, string display, CancellationToken cancellationToken)
    {
        var files = await PackageArchive.ReadAsync(archive, cancellationToken);
        return FromFiles(files, [], "", display, expectedId: null);
    }

    /// <summary>Validates files read from an upload (<see cref="PackageUpload"/>) as a package;
    /// errors name <paramref name="display"/>/path, line, column and field, as for a folder.</summary>
    public static ScenarioLoadResult LoadFiles(IReadOnlyList<PackageFile> files, string display) =>
        FromFiles(files, [], "", display, expectedId: null);

    private static ScenarioLoadResult FromFiles(IReadOnlyList<PackageFile> files, IReadOnlyList<ScenarioError> fileErrors, string directory, string display, string? expectedId)
    {
        var errors = new List<ScenarioError>(fileErrors);
        var manifestFile = files.FirstOrDefault(f => f.Path == ManifestFileName);
        if (manifestFile is null)
        {
            errors.Add(new ScenarioError(new SourceLocation($"{display}/{ManifestFileName}"), "", "is missing: every package starts with its manifest (see docs/scenarios.md)"));
            return ScenarioLoadResult.Failed([.. errors]);
        }

        var (manifest, manifestErrors) = ManifestParser.Parse(System.Text.Encoding.UTF8.GetString(manifestFile.Content), $"{display}/{ManifestFileName}");
        errors.AddRange(manifestErrors);
        if (manifest is not null)
        {
            errors.AddRange(PackageValidator.Validate(manifest, files, display, expectedId));
        }

        return errors.Count > 0 || manifest is null
            ? ScenarioLoadResult.Failed([.. errors])
            : ScenarioLoadResult.Loaded(new ScenarioPackage(directory, manifest, files, Scenarios.ContentHash.Compute(files)));
    }
}

/// <summary>A package, or every reason it is not valid.</summary>
public sealed record ScenarioLoadResult(ScenarioPackage? Package, IReadOnlyList<ScenarioError> Errors)
{
    /// <summary>True when the package loaded without errors.</summary>
    public bool IsValid => Package is not null;

    internal static ScenarioLoadResult Loaded(ScenarioPackage package) => new(package, []);

    internal static ScenarioLoadResult Failed(params ScenarioError[] errors) => new(null, errors);

    /// <summary>The package, or an exception listing every error.</summary>
    public ScenarioPackage GetPackageOrThrow(string display) => Package ?? throw new ScenarioValidationException(display, Errors);
}
