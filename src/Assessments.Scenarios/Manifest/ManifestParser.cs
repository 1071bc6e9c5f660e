using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assessments.Scenarios.Manifest;

/// <summary>Parses <c>scenario.yaml</c> into a <see cref="ScenarioManifest"/>, collecting every
/// error with its file, line, column and field instead of stopping at the first.</summary>
public static partial class ManifestParser
{
    /// <summary>Parses <paramref name="yaml"/>; <paramref name="file"/> names it in errors.</summary>
    /// <returns>The manifest when there were no errors, else null; and the errors.</returns>
    public static (ScenarioManifest? Manifest, IReadOnlyList<ScenarioError> Errors) Parse(string yaml, string file)
    {
        var errors = new List<ScenarioError>();
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            errors.Add(new ScenarioError(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), "", $"not valid YAML: {Innermost(e).Message}"));
            return (null, errors);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unterminated constructs; the last event
            // it produced is where the document stopped making sense.
            var mark = parser.Current?.Start ?? Mark.Empty;
            errors.Add(new ScenarioError(new SourceLocation(file, (int)mark.Line, (int)mark.Column), "", "not valid YAML: a bracket, brace or quote that opens here is not closed"));
            return (null, errors);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            // And this way on some malformed tokens (a tag that is not a URI, say), found by fuzzing.
            var mark = parser.Current?.End ?? Mark.Empty;
            errors.Add(new ScenarioError(new SourceLocation(file, (int)mark.Line, (int)mark.Column), "", $"not valid YAML after this point: {e.Message}"));
            return (null, errors);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new ScenarioError(new SourceLocation(file, 1, 1), "", "must hold one YAML document whose top level is a mapping (id: ..., title: ...)"));
            return (null, errors);
        }

        var map = new YamlMap(root, file, "", errors);
        var manifest = Read(map);
        map.RejectUnknownKeys();
        return (errors.Count == 0 ? manifest : null, errors);
    }

    private static ScenarioManifest? Read(YamlMap map)
    {
        var id = map.Matching("id", Slug(), "an id of lower-case letters, digits and dashes (n-plus-one)");
        var version = map.String("version");
        var title = map.String("title");
        var summary = map.String("summary");
        var level = map.Enum<ScenarioLevel>("level");
        var suggestedTime = map.Duration("suggestedTime");
        var skills = map.Strings("skills");
        var brief = map.String("brief");
        var rubric = map.Items("rubric", ReadCriterion);
        var metrics = map.Items("metrics", ReadMetric);
        var service = ReadService(map.Map("service"));
        var fakes = ReadFakes(map.Map("fakes", required: false));
        var hidden = ReadHidden(map.Map("hidden"));
        var phases = map.Items("phases", ReadPhase);
        var packages = map.Items("packages", ReadPackage);
        var limits = ReadLimits(map.Map("limits"));
        var variants = map.Items("variants", ReadVariant, required: false) ?? [];
        var benchmarks = ReadBenchmarks(map.Map("benchmarks", required: false));
        var locked = map.Strings("locked", required: false) ?? [];

        if (id is null || version is null || title is null || summary is null || level is null || suggestedTime is null || skills is null
            || brief is null || rubric is null || metrics is null || service is null || hidden is null || phases is null || packages is null || limits is null)
        {
            return null;
        }

        return new ScenarioManifest
        {
            Id = id,
            Version = version,
            Title = title,
            Summary = summary,
            Level = level.Value,
            SuggestedTime = suggestedTime.Value,
            Skills = skills,
            Brief = brief,
            Rubric = rubric,
            Metrics = metrics,
            Service = service,
            Fakes = fakes,
            Hidden = hidden,
            Phases = phases,
            Packages = packages,
            Limits = limits,
            Variants = variants,
            Benchmarks = benchmarks,
            Locked = locked,
        };
    }

    private static RubricCriterion? ReadCriterion(YamlMap m)
    {
        var id = m.Matching("id", Slug(), "an id of lower-case letters, digits and dashes");
        var title = m.String("title");
        var weight = m.Int("weight", 1, 100);
        var strong = m.String("strong");
        var adequate = m.String("adequate");
        var weak = m.String("weak");
        var evidence = m.Items("evidence", ReadEvidence, required: false) ?? [];
        return id is null || title is null || weight is null || strong is null || adequate is null || weak is null
            ? null
            : new RubricCriterion(id, title, weight.Value, strong, adequate, weak, m.At) { Evidence = evidence };
    }

    /// <summary>One of <c>test: NAME</c> (with <c>failing:</c>), <c>metric: KEY</c> (with
    /// <c>on:</c>, <c>strong:</c>, <c>adequate:</c>) or <c>finding: RULE</c> (with <c>present:</c>).
    /// Keys that belong to another kind are left unread, so they are reported as unknown here.</summary>
    private static RubricEvidence? ReadEvidence(YamlMap m)
    {
        var test = m.String("test", required: false);
        var metric = m.String("metric", required: false);
        var finding = m.String("finding", required: false);
        var named = new[] { test, metric, finding }.Count(t => t is not null);
        if (named != 1)
        {
            m.Error(null, m.Field("test"), named == 0
                ? "needs one of test: (a hidden test), metric: (a metric key) or finding: (a finding rule)"
                : "names more than one of test:, metric: and finding:; write each as its own item");
            return null;
        }

        if (test is not null)
        {
            var failing = m.Enum<RubricLevel>("failing", required: false) ?? RubricLevel.Weak;
            return new RubricEvidence(EvidenceKind.Test, test, m.At) { Failing = failing };
        }

        if (finding is not null)
        {
            var present = m.Enum<RubricLevel>("present", required: false) ?? RubricLevel.Adequate;
            return new RubricEvidence(EvidenceKind.Finding, finding, m.At) { Present = present };
        }

        var on = m.Enum<MetricScale>("on", required: false) ?? MetricScale.Value;
        var strong = m.Number("strong", 0, 1_000_000_000);
        var adequate = m.Number("adequate", 0, 1_000_000_000);
        return strong is null || adequate is null
            ? null
            : new RubricEvidence(EvidenceKind.Metric, metric!, m.At) { On = on, Strong = strong, Adequate = adequate };
    }

    private static MetricDefinition? ReadMetric(YamlMap m)
    {
        var key = m.Matching("key", MetricKey(), "a key of lower-case letters, digits and underscores (statements_per_request)");
        var title = m.String("title");
        var unit = m.String("unit");
        var direction = m.Enum<MetricDirection>("direction");
        var primary = m.Bool("primary", required: false) ?? false;
        var deterministic = m.Bool("deterministic", required: false) ?? true;
        return key is null || title is null || unit is null || direction is null
            ? null
            : new MetricDefinition(key, title, unit, direction.Value, primary, m.At, deterministic);
    }

    private static BenchmarksDefinition? ReadBenchmarks(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        // Rounds give the spread; fewer than three cannot tell noise from a change.
        var rounds = m.Int("rounds", 3, 50, required: false) ?? 5;
        var warmup = m.Int("warmup", 0, 1000, required: false) ?? 10;
        var requests = m.Int("requests", 1, 1000, required: false) ?? 20;
        var minimumDifference = m.Number("minimumDifferenceMs", 0, 1000, required: false) ?? BenchmarksDefinition.DefaultMinimumDifferenceMs;
        var endpoints = m.Items("endpoints", e =>
        {
            var name = e.Matching("name", MetricKey(), "a name of lower-case letters, digits and underscores (dashboard_search)");
            var title = e.String("title");
            var path = e.Matching("get", RequestPath(), "a path and query starting with / (/api/orders?page=1)");
            return name is null || title is null || path is null ? null : new BenchmarkEndpoint(name, title, path, e.At);
        });
        m.RejectUnknownKeys();
        return endpoints is null ? null : new BenchmarksDefinition(rounds, warmup, requests, endpoints, m.At, minimumDifference);
    }

    private static ServiceContract? ReadService(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var project = m.String("project");
        var publicTests = m.String("publicTests", required: false);
        var publicTestsMustPass = m.Bool("publicTestsMustPass", required: false) ?? true;
        var health = m.Matching("health", HealthPath(), "a path starting with / (/health)");
        var startupTimeout = m.Duration("startupTimeout", required: false) ?? TimeSpan.FromMinutes(2);
        var environment = m.StringMap("environment");
        m.RejectUnknownKeys();
        return project is null || health is null || environment is null
            ? null
            : new ServiceContract(project, publicTests, health, startupTimeout, environment, m.At, publicTestsMustPass);
    }

    private static FakesDefinition? ReadFakes(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var project = m.String("project");
        var names = m.Strings("names");
        m.RejectUnknownKeys();
        return project is null || names is null ? null : new FakesDefinition(project, names, m.At);
    }

    private static HiddenTestsDefinition? ReadHidden(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var project = m.String("project");
        var tests = m.Items("tests", t =>
        {
            var name = t.Matching("name", TestName(), "a test method name (letters, digits, underscores)");
            var phase = t.String("phase");
            var failure = t.String("failsOnTemplateWith", required: false);
            var guard = t.Bool("passesOnTemplate", required: false) ?? false;
            if (failure is null == !guard)
            {
                t.Error(null, t.Field("failsOnTemplateWith"), failure is null
                    ? "is required: the part of the message this test fails with on the template (or passesOnTemplate: true for a guard that pins behaviour a fix must keep)"
                    : "goes with a test that fails on the template; a test with passesOnTemplate: true has none");
                return null;
            }

            return name is null || phase is null ? null : new HiddenTestDefinition(name, phase, failure, t.At);
        });
        m.RejectUnknownKeys();
        return project is null || tests is null ? null : new HiddenTestsDefinition(project, tests, m.At);
    }

    private static PhaseDefinition? ReadPhase(YamlMap m)
    {
        var name = m.Matching("name", Slug(), "a name of lower-case letters, digits and dashes");
        var restart = m.Bool("restartService", required: false) ?? false;
        // Two already proves what several replicas on one database get wrong; more only costs.
        var instances = m.Int("instances", 1, PhaseDefinition.MaximumInstances, required: false) ?? 1;
        return name is null ? null : new PhaseDefinition(name, restart, m.At, instances);
    }

    private static AllowedPackage? ReadPackage(YamlMap m)
    {
        var id = m.Matching("id", PackageId(), "a NuGet package id");
        var version = m.Matching("version", ExactVersion(), "an exact version (10.0.3), not a range or a wildcard");
        return id is null || version is null ? null : new AllowedPackage(id, version, m.At);
    }

    private static ScenarioLimits? ReadLimits(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var build = m.Duration("build");
        var tests = m.Duration("tests");
        var memory = m.Size("memory");
        var processes = m.Int("processes", 16, 65536);
        m.RejectUnknownKeys();
        return build is null || tests is null || memory is null || processes is null
            ? null
            : new ScenarioLimits(build.Value, tests.Value, memory.Value, processes.Value);
    }

    private static VariantDefinition? ReadVariant(YamlMap m)
    {
        var name = m.Matching("name", Slug(), "a name of lower-case letters, digits and dashes");
        var expect = m.Enum<VariantExpectation>("expect");
        var failingTest = m.String("failingTest", required: expect == VariantExpectation.Fail);
        if (expect == VariantExpectation.Pass && failingTest is not null)
        {
            m.Error(null, m.Field("failingTest"), "only goes with expect: fail");
        }

        return name is null || expect is null ? null : new VariantDefinition(name, expect.Value, failingTest, m.At);
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Slug();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex MetricKey();

    [GeneratedRegex("^/[A-Za-z0-9/_.-]*$")]
    private static partial Regex HealthPath();

    [GeneratedRegex("^/[A-Za-z0-9/_.~%-]*(\\?[A-Za-z0-9_.~%=&+,:-]*)?$")]
    private static partial Regex RequestPath();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TestName();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex PackageId();

    [GeneratedRegex(@"^\d+\.\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactVersion();
}
