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
        var package = new CheckedPackage(manifest, files, display);
        CheckIdMatchesFolder(package, expectedId);
        CheckRequiredFolders(package);
        CheckRubric(package);
        CheckMetrics(package);
        CheckLockedPathsExist(package);
        CheckServiceContract(package);
        CheckFakes(package);
        CheckPhases(package);
        CheckHiddenTests(package);
        CheckPackages(package);
        CheckVariants(package);
        CheckRubricEvidence(package);
        return package.Errors;
    }

    /// <summary>The package under check and the errors found so far, in the order found.</summary>
    private sealed class CheckedPackage(ScenarioManifest manifest, IReadOnlyList<PackageFile> files, string display)
    {
        public ScenarioManifest Manifest => manifest;

        public IReadOnlyList<PackageFile> Files => files;

        public string Display => display;

        /// <summary>The manifest's first line: where an error without a better place points.</summary>
        public SourceLocation Top { get; } = new($"{display}/{ScenarioPackage.ManifestFileName}", 1, 1);

        public List<ScenarioError> Errors { get; } = [];

        public void Error(SourceLocation at, string field, string message) => Errors.Add(new ScenarioError(at, field, message));
    }

    private static void CheckIdMatchesFolder(CheckedPackage package, string? expectedId)
    {
        if (expectedId is not null && package.Manifest.Id != expectedId)
        {
            package.Error(package.Top, "id", $"is '{package.Manifest.Id}' but the folder is '{expectedId}'; they must match");
        }
    }

    private static void CheckRequiredFolders(CheckedPackage package)
    {
        foreach (var folder in new[] { "template", "hidden", "solution" })
        {
            if (!package.Files.Any(f => f.Path.StartsWith(folder + "/", StringComparison.Ordinal)))
            {
                package.Error(new SourceLocation($"{package.Display}/{folder}/"), "", $"is missing or empty; a package has template/, hidden/ and solution/ (see docs/scenarios.md)");
            }
        }
    }

    /// <summary>At least one criterion, weights adding up to 100, ids unique.</summary>
    private static void CheckRubric(CheckedPackage package)
    {
        var rubric = package.Manifest.Rubric;
        var totalWeight = rubric.Sum(c => c.Weight);
        if (rubric.Count == 0)
        {
            package.Error(package.Top, "rubric", "needs at least one criterion");
        }
        else if (totalWeight != RubricTotal)
        {
            package.Error(rubric[0].At, "rubric", $"weights add up to {totalWeight}; they must add up to {RubricTotal}");
        }

        Duplicates(rubric, c => c.Id, c => c.At, i => $"rubric[{i}].id", "rubric id", package.Errors);
    }

    /// <summary>Unique keys, exactly one primary, and no key shared with a benchmark endpoint's latency.</summary>
    private static void CheckMetrics(CheckedPackage package)
    {
        var manifest = package.Manifest;
        Duplicates(manifest.Metrics, m => m.Key, m => m.At, i => $"metrics[{i}].key", "metric key", package.Errors);
        var primaries = manifest.Metrics.Count(m => m.Primary);
        if (primaries != 1)
        {
            package.Error(manifest.Metrics.FirstOrDefault()?.At ?? package.Top, "metrics", $"{primaries} metrics are marked primary; exactly one must be");
        }

        if (manifest.Benchmarks is { } benchmarks)
        {
            Duplicates(benchmarks.Endpoints, e => e.Name, e => e.At, i => $"benchmarks.endpoints[{i}].name", "benchmark endpoint name", package.Errors);
            foreach (var endpoint in benchmarks.Endpoints)
            {
                if (manifest.Metrics.FirstOrDefault(m => m.Key == endpoint.MedianKey || m.Key == endpoint.P95Key) is { } clash)
                {
                    package.Error(clash.At, "metrics", $"metric key '{clash.Key}' is also the key of benchmark endpoint '{endpoint.Name}''s latency; rename one");
                }
            }
        }
    }

    /// <summary>Each locked path names something the template has, or a lock would guard nothing.</summary>
    private static void CheckLockedPathsExist(CheckedPackage package)
    {
        foreach (var locked in package.Manifest.Locked)
        {
            var exists = locked.EndsWith('/')
                ? package.Files.Any(f => f.Path.StartsWith($"template/{locked}", StringComparison.Ordinal))
                : package.Files.Any(f => f.Path == $"template/{locked}");
            if (!exists)
            {
                package.Error(package.Top, "locked", $"'{locked}' is not in template/ (a file, or a folder ending in /)");
            }
        }
    }

    /// <summary>The service's projects exist, and its environment uses only known placeholders,
    /// <c>{port}</c> among them.</summary>
    private static void CheckServiceContract(CheckedPackage package)
    {
        var service = package.Manifest.Service;
        RequireFile(package.Files, $"template/{service.Project}", service.At, "service.project", package.Display, package.Errors, ".csproj");
        if (service.PublicTests is not null)
        {
            RequireFile(package.Files, $"template/{service.PublicTests}", service.At, "service.publicTests", package.Display, package.Errors, ".csproj");
        }

        var fakeNames = package.Manifest.Fakes?.Names ?? [];
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
                    package.Error(service.At, $"service.environment.{name}", $"unknown placeholder {{{token}}}; known: {{port}}, {{database}}, and fakes ({fakes})");
                }
            }
        }

        if (!usesPort)
        {
            package.Error(service.At, "service.environment", "no value uses {port}: the grader must tell the service where to listen (e.g. ASPNETCORE_URLS: http://127.0.0.1:{port})");
        }
    }

    private static void CheckFakes(CheckedPackage package)
    {
        if (package.Manifest.Fakes is { } fakesDefinition)
        {
            RequireFile(package.Files, fakesDefinition.Project, fakesDefinition.At, "fakes.project", package.Display, package.Errors, ".csproj");
            Duplicates(fakesDefinition.Names.Select(n => (Name: n, fakesDefinition.At)).ToList(), n => n.Name, n => n.At, i => $"fakes.names[{i}]", "fake name", package.Errors);
        }
    }

    /// <summary>Unique names, at least one phase, and a first phase that does not restart a service not yet run.</summary>
    private static void CheckPhases(CheckedPackage package)
    {
        var phases = package.Manifest.Phases;
        Duplicates(phases, p => p.Name, p => p.At, i => $"phases[{i}].name", "phase", package.Errors);
        if (phases.Count == 0)
        {
            package.Error(package.Top, "phases", "needs at least one phase (- name: main)");
        }
        else if (phases[0].RestartService)
        {
            package.Error(phases[0].At, "phases[0].restartService", "the first phase cannot restart a service that has not run yet");
        }
    }

    /// <summary>The hidden project exists under hidden/, each declared test is unique and in a
    /// declared phase, and the declarations match the test methods in the code both ways.</summary>
    private static void CheckHiddenTests(CheckedPackage package)
    {
        var hidden = package.Manifest.Hidden;
        var hiddenProjectPath = RequireFile(package.Files, hidden.Project, hidden.At, "hidden.project", package.Display, package.Errors, ".csproj");
        if (!hidden.Project.StartsWith("hidden/", StringComparison.Ordinal))
        {
            package.Error(hidden.At, "hidden.project", $"'{hidden.Project}' must be under hidden/, which never reaches a candidate");
        }

        Duplicates(hidden.Tests, t => t.Name, t => t.At, i => $"hidden.tests[{i}].name", "hidden test", package.Errors);
        var phaseNames = package.Manifest.Phases.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < hidden.Tests.Count; i++)
        {
            if (!phaseNames.Contains(hidden.Tests[i].Phase))
            {
                package.Error(hidden.Tests[i].At, $"hidden.tests[{i}].phase", $"'{hidden.Tests[i].Phase}' is not a phase; phases: {string.Join(", ", phaseNames)}");
            }
        }

        if (hiddenProjectPath is not null)
        {
            CheckHiddenTestsMatchTheCode(package, hiddenProjectPath);
        }
    }

    /// <summary>Every declared hidden test is a [Fact] or [Theory] with the same phase trait, and
    /// every test method in the hidden project is declared.</summary>
    private static void CheckHiddenTestsMatchTheCode(CheckedPackage package, string hiddenProjectPath)
    {
        var hidden = package.Manifest.Hidden;
        var display = package.Display;
        var projectDirectory = hiddenProjectPath.Contains('/') ? hiddenProjectPath[..hiddenProjectPath.LastIndexOf('/')] : "";
        var found = HiddenTestScanner.Scan(package.Files, projectDirectory, display);
        var foundByName = found.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        for (var i = 0; i < hidden.Tests.Count; i++)
        {
            var declared = hidden.Tests[i];
            if (!foundByName.TryGetValue(declared.Name, out var method))
            {
                var names = found.Count == 0 ? "none found" : string.Join(", ", found.Select(m => m.Name).Distinct());
                package.Error(declared.At, $"hidden.tests[{i}].name", $"no [Fact] or [Theory] method '{declared.Name}' in {display}/{projectDirectory}/ (found: {names})");
            }
            else if (method.Phase != declared.Phase)
            {
                package.Error(method.At, "", $"test '{declared.Name}' has {(method.Phase is null ? "no [Trait(\"Phase\", ...)]" : $"[Trait(\"Phase\", \"{method.Phase}\")]")} but scenario.yaml puts it in phase '{declared.Phase}'");
            }
        }

        var declaredNames = hidden.Tests.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var method in found.Where(m => !declaredNames.Contains(m.Name)))
        {
            package.Error(method.At, "", $"test '{method.Name}' is not declared in scenario.yaml hidden.tests; every hidden test states the failure it shows on the template");
        }
    }

    private static void CheckPackages(CheckedPackage package) =>
        Duplicates(package.Manifest.Packages, p => p.Id.ToLowerInvariant(), p => p.At, i => $"packages[{i}].id", "package", package.Errors);

    /// <summary>Unique names, files under variants/NAME/, and a failing test that is declared.</summary>
    private static void CheckVariants(CheckedPackage package)
    {
        var manifest = package.Manifest;
        Duplicates(manifest.Variants, v => v.Name, v => v.At, i => $"variants[{i}].name", "variant", package.Errors);
        var testNames = manifest.Hidden.Tests.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Variants.Count; i++)
        {
            var variant = manifest.Variants[i];
            if (!package.Files.Any(f => f.Path.StartsWith($"variants/{variant.Name}/", StringComparison.Ordinal)))
            {
                package.Error(variant.At, $"variants[{i}].name", $"no files under {package.Display}/variants/{variant.Name}/");
            }

            if (variant.FailingTest is { } failing && !testNames.Contains(failing))
            {
                package.Error(variant.At, $"variants[{i}].failingTest", $"'{failing}' is not a declared hidden test");
            }
        }
    }

    /// <summary>Evidence names a declared hidden test, a metric (declared, or a benchmark
    /// endpoint's latency) or a finding rule that exists, and a metric's strong threshold is at or
    /// beyond its adequate one in the metric's better direction.</summary>
    private static void CheckRubricEvidence(CheckedPackage package)
    {
        var manifest = package.Manifest;
        var tests = manifest.Hidden.Tests.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var directions = manifest.Metrics.ToDictionary(m => m.Key, m => m.Direction, StringComparer.Ordinal);
        foreach (var endpoint in manifest.Benchmarks?.Endpoints ?? [])
        {
            directions.TryAdd(endpoint.MedianKey, MetricDirection.Lower);
            directions.TryAdd(endpoint.P95Key, MetricDirection.Lower);
        }

        for (var i = 0; i < manifest.Rubric.Count; i++)
        {
            var evidence = manifest.Rubric[i].Evidence;
            for (var j = 0; j < evidence.Count; j++)
            {
                var item = evidence[j];
                var field = $"rubric[{i}].evidence[{j}]";
                switch (item.Kind)
                {
                    case EvidenceKind.Test when !tests.Contains(item.Target):
                        package.Error(item.At, $"{field}.test", $"'{item.Target}' is not a declared hidden test (declared: {string.Join(", ", tests)})");
                        break;
                    case EvidenceKind.Finding when !FindingRule.All.Contains(item.Target):
                        package.Error(item.At, $"{field}.finding", $"'{item.Target}' is not a finding rule (rules: {string.Join(", ", FindingRule.All)})");
                        break;
                    case EvidenceKind.Metric when !directions.TryGetValue(item.Target, out _):
                        package.Error(item.At, $"{field}.metric", $"'{item.Target}' is not a metric of this scenario (metrics: {string.Join(", ", directions.Keys)})");
                        break;
                    case EvidenceKind.Metric:
                        var lowerIsBetter = directions[item.Target] == MetricDirection.Lower;
                        if (lowerIsBetter ? item.Strong > item.Adequate : item.Strong < item.Adequate)
                        {
                            package.Error(item.At, $"{field}.strong", $"{item.Strong} is short of adequate's {item.Adequate}; {item.Target} is better {(lowerIsBetter ? "lower" : "higher")}, so strong must be {(lowerIsBetter ? "at most" : "at least")} adequate");
                        }

                        break;
                }
            }
        }
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
