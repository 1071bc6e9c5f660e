using Assessments.Scenarios;

namespace Assessments.Tests.Shared;

/// <summary>A small valid package written to a temporary folder; each test breaks one thing.</summary>
public sealed class TestPackage : IDisposable
{
    public const string Manifest = """
        id: tiny
        version: "1.0"
        title: Tiny service
        summary: A package small enough for tests.
        level: mid
        suggestedTime: 00:30:00
        skills: [testing]
        brief: |
          Fix the service.
        rubric:
          - id: correctness
            title: Correctness
            weight: 60
            strong: Right and explained.
            adequate: Right.
            weak: Wrong.
          - id: notes
            title: Notes
            weight: 40
            strong: Clear.
            adequate: Some.
            weak: None.
        metrics:
          - key: statements_per_request
            title: Statements per request
            unit: statements
            direction: lower
            primary: true
        service:
          project: src/Tiny/Tiny.csproj
          publicTests: tests/Tiny.Tests/Tiny.Tests.csproj
          health: /health
          environment:
            ASPNETCORE_URLS: http://127.0.0.1:{port}
            ConnectionStrings__Tiny: "{database}"
        hidden:
          project: hidden/Tiny.Hidden/Tiny.Hidden.csproj
          tests:
            - name: AnswersHello
              phase: main
              failsOnTemplateWith: "expected hello"
            - name: RemembersAfterRestart
              phase: after-restart
              failsOnTemplateWith: "forgot"
        phases:
          - name: main
          - name: after-restart
            restartService: true
        packages:
          - id: Npgsql
            version: 10.0.3
        limits:
          build: 00:05:00
          tests: 00:05:00
          memory: 2g
          processes: 512
        variants:
          - name: shallow
            expect: fail
            failingTest: RemembersAfterRestart
        """;

    public const string HiddenTests = """
        namespace Tiny.Hidden;

        public sealed class HiddenTests
        {
            [Fact]
            [Trait("Phase", "main")]
            public void AnswersHello() { }

            [Xunit.Fact, Trait("Phase", "after-restart")]
            public void RemembersAfterRestart() { }

            private static void Helper() { }
        }
        """;

    public TestPackage()
    {
        Root = Path.Combine(Directory.CreateTempSubdirectory("scenario-").FullName, "tiny");
        Write("scenario.yaml", Manifest);
        Write("template/src/Tiny/Tiny.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />");
        Write("template/src/Tiny/Program.cs", "var app = WebApplication.Create(args); app.Run();");
        Write("template/tests/Tiny.Tests/Tiny.Tests.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("template/README.md", "# Tiny\n");
        Write("hidden/Tiny.Hidden/Tiny.Hidden.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("hidden/Tiny.Hidden/HiddenTests.cs", HiddenTests);
        Write("solution/src/Tiny/Program.cs", "// fixed\n");
        Write("variants/shallow/src/Tiny/Program.cs", "// shallow\n");
    }

    public string Root { get; }

    public string Display => "scenarios/tiny";

    public void Write(string path, string content)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>Replaces text in the manifest; fails the test when the text is not there, so a
    /// broken-package test cannot silently test the valid package.</summary>
    public void EditManifest(string from, string to)
    {
        var path = Path.Combine(Root, "scenario.yaml");
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    public ScenarioLoadResult Load() => ScenarioPackage.Load(Root, Display);

    /// <summary>Loads, expects exactly one error, and returns it as text.</summary>
    public string SingleError()
    {
        var result = Load();
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors).ToString();
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
}
