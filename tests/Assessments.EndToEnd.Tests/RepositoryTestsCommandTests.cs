using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;

namespace Assessments.EndToEnd.Tests;

/// <summary><c>assess grade --dir</c> without a scenario: a repository's own xunit v2 and v3
/// projects run in the sandbox, each test reported in file order with its outcome and output, a
/// project that does not compile reported with the compiler's diagnostics.</summary>
public sealed class RepositoryTestsCommandTests
{
    // Declared out of alphabetical order, so file order is visible in the report.
    private const string TestsV2 = """
        using Xunit;
        using Xunit.Abstractions;

        namespace Shop.V2Tests;

        public class CartTests(ITestOutputHelper output)
        {
            [Fact]
            public void Zebra() => Assert.True(true);

            [Fact]
            public void Apple() => Assert.Equal(2, 3);

            [Fact(Skip = "waiting for the tax rules")]
            public void Middle() { }

            [Fact]
            public void WritesOutput()
            {
                output.WriteLine("hello from v2");
                Assert.True(true);
            }

            [Theory]
            [InlineData(1, 2, 3)]
            [InlineData(2, 2, 4)]
            public void Sums(int a, int b, int sum) => Assert.Equal(sum, a + b);

            [Fact]
            public void Throws() => throw new System.InvalidOperationException("the basket is gone");
        }
        """;

    private static readonly string TestsV3 = TestsV2.Replace("using Xunit.Abstractions;\n", "").Replace("V2Tests", "V3Tests").Replace("hello from v2", "hello from v3");

    // xunit.v3 3.x: its runner writes XML with -xml (4.x renamed it -result-xml).
    private static readonly string TestsV3Legacy = TestsV3.Replace("V3Tests", "V3LegacyTests").Replace("hello from v3", "hello from v3legacy");

    private const string ProjectV2 = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <IsPackable>false</IsPackable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />
            <PackageReference Include="xunit" Version="2.9.3" />
            <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
          </ItemGroup>
        </Project>
        """;

    private const string ProjectV3 = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>Exe</OutputType>
            <IsTestingPlatformApplication>false</IsTestingPlatformApplication>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="xunit.v3" Version="4.0.2" />
          </ItemGroup>
        </Project>
        """;

    private static readonly string ProjectV3Legacy = ProjectV3.Replace("""Include="xunit.v3" Version="4.0.2" """, """Include="xunit.v3" Version="3.2.2" """);

    // A runtime the sandbox image does not have: the test host cannot start, and VSTest writes a
    // results file with no test in it.
    private static readonly string ProjectNet9 = ProjectV2.Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFramework>net9.0</TargetFramework>");

    [Fact]
    public async Task XunitV2AndV3ProjectsAreReportedTestByTestInFileOrderAndACompileErrorWithItsDiagnostics()
    {
        var ct = TestContext.Current.CancellationToken;
        var scratch = Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath();
        // Under the test scratch folder: no Directory.Build.props of this repository above it.
        var work = new DirectoryInfo(Path.Combine(scratch, $"repository-tests-{Guid.NewGuid():N}"));
        work.Create();
        var repository = Path.Combine(work.FullName, "shop");
        async Task WriteAsync(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repository, path))!);
            await File.WriteAllTextAsync(Path.Combine(repository, path), text, ct);
        }

        await WriteAsync("Shop.V2Tests/Shop.V2Tests.csproj", ProjectV2);
        await WriteAsync("Shop.V2Tests/CartTests.cs", TestsV2);
        await WriteAsync("Shop.V3Tests/Shop.V3Tests.csproj", ProjectV3);
        await WriteAsync("Shop.V3Tests/CartTests.cs", TestsV3);
        await WriteAsync("Shop.V3LegacyTests/Shop.V3LegacyTests.csproj", ProjectV3Legacy);
        await WriteAsync("Shop.V3LegacyTests/CartTests.cs", TestsV3Legacy);
        await WriteAsync("Shop.Net9Tests/Shop.Net9Tests.csproj", ProjectNet9);
        await WriteAsync("Shop.Net9Tests/CartTests.cs", TestsV2.Replace("V2Tests", "Net9Tests"));
        await WriteAsync("Shop.Broken/Shop.Broken.csproj", ProjectV3);
        await WriteAsync("Shop.Broken/BrokenTests.cs", """
            namespace Shop.Broken;

            public class BrokenTests
            {
                [Xunit.Fact]
                public void Never() { int total = "twelve"; }
            }
            """);
        var report = Path.Combine(work.FullName, "report.json");

        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["Sandbox__CacheFolder"] = Path.Combine(scratch, "sandbox-cache"),
            },
            TimeSpan.FromMinutes(15),
            "grade", "--dir", repository, "--json", report);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("Restoring their packages on this machine first (trusted code only)", stdout);
        Assert.Contains("VERDICT  build-failed at build:Shop.Broken/Shop.Broken.csproj", stdout);
        Assert.Contains("OUTPUT of Shop.V2Tests.CartTests.WritesOutput", stdout);
        Assert.Contains("  hello from v3", stdout);

        var written = GradingReport.FromJson(await File.ReadAllTextAsync(report, ct));
        Assert.Equal((SubjectKind.Repository, "docker"), (written.Subject.Kind, written.Environment.Host));
        Assert.Null(written.Scenario);

        // The project that does not compile: one entry, status error, the compiler's words and place.
        var broken = written.Tests[0];
        Assert.Equal(("Shop.Broken/Shop.Broken.csproj", TestStatus.Error), (broken.Name, broken.Status));
        Assert.StartsWith("Shop.Broken/BrokenTests.cs(6,39): error CS0029", broken.Message);

        // The project whose tests never ran: one entry, status error, the exit and the runner's words.
        var net9 = written.Tests[1];
        Assert.Equal(("Shop.Net9Tests/Shop.Net9Tests.csproj", TestStatus.Error), (net9.Name, net9.Status));
        Assert.StartsWith("The tests exited with code 1 and wrote no results: ", net9.Message);

        foreach (var (generation, offset) in new[] { ("V2", 2), ("V3Legacy", 9), ("V3", 16) })
        {
            var tests = written.Tests.Skip(offset).Take(7).ToList();
            var prefix = $"Shop.{generation}Tests.CartTests.";
            Assert.Equal(
                [("Zebra", TestStatus.Pass), ("Apple", TestStatus.Fail), ("Middle", TestStatus.Skipped), ("WritesOutput", TestStatus.Pass), ("Sums", TestStatus.Pass), ("Sums", TestStatus.Pass), ("Throws", TestStatus.Error)],
                tests.Select(t => (Method(t.Name, prefix), t.Status)));
            Assert.Contains("Assert.Equal() Failure", tests[1].Message);
            Assert.Equal("waiting for the tax rules", tests[2].Message);
            Assert.Contains($"hello from {generation.ToLowerInvariant()}", tests[3].Output);
            Assert.Contains("the basket is gone", tests[6].Message);
        }

        Assert.Equal(23, written.Tests.Count);
        work.Delete(recursive: true);
    }

    [Fact]
    public async Task AFolderWithoutTestProjectsIsRefusedInOneLine()
    {
        var folder = Directory.CreateTempSubdirectory("no-tests-");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "README.md"), "nothing here", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await AssessProcess.RunAsync(new Dictionary<string, string>(), TimeSpan.FromMinutes(2), "grade", "--dir", folder.FullName);
        folder.Delete(recursive: true);

        Assert.Equal(3, exitCode);
        Assert.Contains("no xunit test project found", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static string Method(string name, string prefix)
    {
        Assert.StartsWith(prefix, name);
        var method = name[prefix.Length..];
        return method.Contains('(') ? method[..method.IndexOf('(')] : method;
    }
}
