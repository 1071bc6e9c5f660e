using System.Text.RegularExpressions;
using Assessments.Scenarios.Manifest;

namespace Assessments.Scenarios;

/// <summary>Checks a parsed manifest against itself and against the package's files: everything the
/// manifest names exists, ids are unique, weights add up, hidden tests are declared both ways.</summary>
internal static partial class PackageValidator
{
    private const int RubricTotal = 100;

    public static IEnumerable<ScenarioError> Validate(ScenarioManifest manifest, IReadOnlyList<PackageFile> files, string display, string? expectedId)
    {
        var manifestFile = $"{display}/{ScenarioPackage.ManifestFileName}";
        var errors = new List<ScenarioError>();
        void Error(SourceLocation at, string field, string message) => errors.Add(new ScenarioError(at, field, message));
        var top = new SourceLocation(manifestFile, 1, 1);

        if (expectedId is not null && manifest.Id != expectedId)
        {
            Error(top, "id", $"is '{manifest.Id}' but the folder is '{expectedId}'; they must match");
        }

        foreach (var folder in new[] { "template", "hidden", "solution" })
        {
            if (!files.Any(f => f.Path.StartsWith(folder + "/", StringComparison.Ordinal)))
            {
                Error(new SourceLocation($"{display}/{folder}/"), "", $"is missing or empty; a package has template/, hidden/ and solution/ (see docs/scenarios.md)");
            }
        }

        // Rubric
        var totalWeight = manifest.Rubric.Sum(c => c.Weight);
        if (manifest.Rubric.Count == 0)
        {
            Error(top, "rubric", "needs at least one criterion");
        }
        else if (totalWeight != RubricTotal)
        {
            Error(manifest.Rubric[0].At, "rubric", $"weights add up to {totalWeight}; they must add up to {RubricTotal}");
        }

        Duplicates(manifest.Rubric, c => c.Id, c => c.At, i => $"rubric[{i}].id", "rubric id", errors);

        // Metrics
        Duplicates(manifest.Metrics, m => m.Key, m => m.At, i => $"metrics[{i}].key", "metric key", errors);
        var primaries = manifest.Metrics.Count(m => m.Primary);
        if (primaries != 1)
        {
            Error(manifest.Metrics.FirstOrDefault()?.At ?? top, "metrics", $"{primaries} metrics are marked primary; exactly one must be");
        }

        if (manifest.Benchmarks is { } benchmarks)
        {
            Duplicates(benchmarks.Endpoints, e => e.Name, e => e.At, i => $"benchmarks.endpoints[{i}].name", "benchmark endpoint name", errors);
            foreach (var endpoint in benchmarks.Endpoints)
            {
                if (manifest.Metrics.FirstOrDefault(m => m.Key == endpoint.MedianKey || m.Key == endpoint.P95Key) is { } clash)
                {
                    Error(clash.At, "metrics", $"metric key '{clash.Key}' is also the key of benchmark endpoint '{endpoint.Name}''s latency; rename one");
                }
            }
        }

        // Locked paths: each names something the template has, or a lock would guard nothing.
        foreach (var locked in manifest.Locked)
        {
            var exists = locked.EndsWith('/')
                ? files.Any(f => f.Path.StartsWith($"template/{locked}", StringComparison.Ordinal))
                : files.Any(f => f.Path == $"template/{locked}");
            if (!exists)
            {
                Error(top, "locked", $"'{locked}' is not in template/ (a file, or a folder ending in /)");
            }
        }

        // Service contract
        var service = manifest.Service;
        RequireFile(files, $"template/{service.Project}", service.At, "service.project", display, errors, ".csproj");
        if (service.PublicTests is not null)
        {
            RequireFile(files, $"template/{service.PublicTests}", service.At, "service.publicTests", display, errors, ".csproj");
        }

        var fakeNames = manifest.Fakes?.Names ?? [];
        var usesPort = false;
        foreach (var (name, value) in service.Environment)
        {
            foreach (Match placeholder in Placeholder().Matches(value))
            {
                var token = placeholder.Groups[1].Value;
                usesPort |= token == "port";
                var known = token is "port" or "database"
                            || (token.StartsWith("fake.", StringComparison.Ordinal) && fakeNames.Contains(token["fake.".Length..]));
                if (!known)
                {
                    var fakes = fakeNames.Count == 0 ? "none declared" : string.Join(", ", fakeNames.Select(n => "{fake." + n + "}"));
                    Error(service.At, $"service.environment.{name}", $"unknown placeholder {{{token}}}; known: {{port}}, {{database}}, and fakes ({fakes})");
                }
            }
        }

        if (!usesPort)
        {
            Error(service.At, "service.environment", "no value uses {port}: the grader must tell the service where to listen (e.g. ASPNETCORE_URLS: http://127.0.0.1:{port})");
        }

        // Fakes
        if (manifest.Fakes is { } fakesDefinition)
        {
            RequireFile(files, fakesDefinition.Project, fakesDefinition.At, "fakes.project", display, errors, ".csproj");
            Duplicates(fakesDefinition.Names.Select(n => (Name: n, fakesDefinition.At)).ToList(), n => n.Name, n => n.At, i => $"fakes.names[{i}]", "fake name", errors);
        }

        // Phases and hidden tests
        Duplicates(manifest.Phases, p => p.Name, p => p.At, i => $"phases[{i}].name", "phase", errors);
        if (manifest.Phases.Count == 0)
        {
            Error(top, "phases", "needs at least one phase (- name: main)");
        }
        else if (manifest.Phases[0].RestartService)
        {
            Error(manifest.Phases[0].At, "phases[0].restartService", "the first phase cannot restart a service that has not run yet");
        }

        var hidden = manifest.Hidden;
        var hiddenProjectPath = RequireFile(files, hidden.Project, hidden.At, "hidden.project", display, errors, ".csproj");
        if (!hidden.Project.StartsWith("hidden/", StringComparison.Ordinal))
        {
            Error(hidden.At, "hidden.project", $"'{hidden.Project}' must be under hidden/, which never reaches a candidate");
        }

        Duplicates(hidden.Tests, t => t.Name, t => t.At, i => $"hidden.tests[{i}].name", "hidden test", errors);
        var phaseNames = manifest.Phases.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < hidden.Tests.Count; i++)
        {
            if (!phaseNames.Contains(hidden.Tests[i].Phase))
            {
                Error(hidden.Tests[i].At, $"hidden.tests[{i}].phase", $"'{hidden.Tests[i].Phase}' is not a phase; phases: {string.Join(", ", phaseNames)}");
            }
        }

        if (hiddenProjectPath is not null)
        {
            var projectDirectory = hiddenProjectPath.Contains('/') ? hiddenProjectPath[..hiddenProjectPath.LastIndexOf('/')] : "";
            var found = HiddenTestScanner.Scan(files, projectDirectory, display);
            var foundByName = found.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            for (var i = 0; i < hidden.Tests.Count; i++)
            {
                var declared = hidden.Tests[i];
                if (!foundByName.TryGetValue(declared.Name, out var method))
                {
                    var names = found.Count == 0 ? "none found" : string.Join(", ", found.Select(m => m.Name).Distinct());
                    Error(declared.At, $"hidden.tests[{i}].name", $"no [Fact] or [Theory] method '{declared.Name}' in {display}/{projectDirectory}/ (found: {names})");
                }
                else if (method.Phase != declared.Phase)
                {
                    Error(method.At, "", $"test '{declared.Name}' has {(method.Phase is null ? "no [Trait(\"Phase\", ...)]" : $"[Trait(\"Phase\", \"{method.Phase}\")]")} but scenario.yaml puts it in phase '{declared.Phase}'");
                }
            }

            var declaredNames = hidden.Tests.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var method in found.Where(m => !declaredNames.Contains(m.Name)))
            {
                Error(method.At, "", $"test '{method.Name}' is not declared in scenario.yaml hidden.tests; every hidden test states the failure it shows on the template");
            }
        }

        // Packages
        Duplicates(manifest.Packages, p => p.Id.ToLowerInvariant(), p => p.At, i => $"packages[{i}].id", "package", errors);

        // Variants
        Duplicates(manifest.Variants, v => v.Name, v => v.At, i => $"variants[{i}].name", "variant", errors);
        var testNames = hidden.Tests.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Variants.Count; i++)
        {
            var variant = manifest.Variants[i];
            if (!files.Any(f => f.Path.StartsWith($"variants/{variant.Name}/", StringComparison.Ordinal)))
            {
                Error(variant.At, $"variants[{i}].name", $"no files under {display}/variants/{variant.Name}/");
            }

            if (variant.FailingTest is { } failing && !testNames.Contains(failing))
            {
                Error(variant.At, $"variants[{i}].failingTest", $"'{failing}' is not a declared hidden test");
            }
        }

        return errors;
    }

    /// <summary>Checks a package-relative path is plain and names a file; returns it when it does.</summary>
    private static string? RequireFile(IReadOnlyList<PackageFile> files, string path, SourceLocation at, string field, string display, List<ScenarioError> errors, string extension)
    {
        if (path.StartsWith('/') || path.Contains('\\') || path.Split('/').Any(p => p is ".." or "." or ""))
        {
            errors.Add(new ScenarioError(at, field, $"'{path}' must be a plain relative path with forward slashes"));
            return null;
        }

        if (!path.EndsWith(extension, StringComparison.Ordinal))
        {
            errors.Add(new ScenarioError(at, field, $"'{path}' must name a {extension} file"));
            return null;
        }

        if (!files.Any(f => f.Path == path))
        {
            errors.Add(new ScenarioError(at, field, $"{display}/{path} does not exist"));
            return null;
        }

        return path;
    }

    private static void Duplicates<T>(IReadOnlyList<T> items, Func<T, string> key, Func<T, SourceLocation> at, Func<int, string> field, string what, List<ScenarioError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var k = key(items[i]);
            if (seen.TryGetValue(k, out var first))
            {
                errors.Add(new ScenarioError(at(items[i]), field(i), $"duplicate {what} '{k}' (first at {at(items[first])})"));
            }
            else
            {
                seen[k] = i;
            }
        }
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();
}
