using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Findings;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using Assessments.Tests.Shared;

namespace Assessments.Runner.Tests.Findings;

/// <summary>Each rule on a small candidate tree, its finding at the line the candidate wrote; the
/// variants people actually write; nothing on code the template already had; nothing on the
/// library's reference solutions.</summary>
public sealed class ChangeFindingsTests
{
    private const string Service = "src/Shop.Api/Orders.cs";

    [Fact]
    public void ResultOnAnAsyncCallIsBlocking() =>
        AssertFinding(FindingRule.BlockingOnAsync, 3, """
            class Orders
            {
                object List(Db db) => db.Orders.ToListAsync().Result;
            }
            """);

    [Fact]
    public void ResultInsideALambdaIsBlocking() =>
        AssertFinding(FindingRule.BlockingOnAsync, 5, """
            class Orders
            {
                object Totals(Db db, int[] ids) =>
                    ids.Select(id =>
                        db.Orders.Where(o => o.Id == id).SumAsync(o => o.Total).Result);
            }
            """);

    [Fact]
    public void GetAwaiterGetResultIsBlocking() =>
        AssertFinding(FindingRule.BlockingOnAsync, 4, """
            class Orders
            {
                int Count(Db db) =>
                    db.Orders.CountAsync().GetAwaiter().GetResult();
            }
            """);

    [Fact]
    public void WaitOnATaskIsBlocking() =>
        AssertFinding(FindingRule.BlockingOnAsync, 7, """
            using System.Threading.Tasks;
            class Orders
            {
                void Warm()
                {
                    Task load = Task.Run(() => { });
                    load.Wait();
                }
            }
            """);

    [Fact]
    public void ResultOfSomethingThatIsNotATaskIsNotBlocking() =>
        AssertNoFinding(FindingRule.BlockingOnAsync, """
            class Validation { public bool Result { get; set; } }
            class Orders
            {
                bool Ok(Validation v) => v.Result;
            }
            """);

    [Fact]
    public void InterpolatedStringPassedToFromSqlRawIsBuiltSql() =>
        AssertFinding(FindingRule.SqlBuiltFromStrings, 4, """
            class Orders
            {
                object Find(Db db, string customer) => db.Orders.FromSqlRaw(
                    $"SELECT * FROM orders WHERE customer = '{customer}'");
            }
            """);

    [Fact]
    public void ConcatenationPassedToExecuteSqlRawIsBuiltSql() =>
        AssertFinding(FindingRule.SqlBuiltFromStrings, 3, """
            class Orders
            {
                void Ship(Db db, int id) => db.Database.ExecuteSqlRaw("UPDATE orders SET shipped = true WHERE id = " + id);
            }
            """);

    [Fact]
    public void SqlBuiltInALocalFirstIsBuiltSql() =>
        AssertFinding(FindingRule.SqlBuiltFromStrings, 8, """
            class Orders
            {
                object Find(Db db, string status, int page)
                {
                    var sql = "SELECT * FROM orders";
                    sql += " WHERE status = '" + status + "'";
                    sql = sql + " OFFSET " + (page * 50);
                    return db.Orders.FromSqlRaw(sql).ToList();
                }
            }
            """);

    [Fact]
    public void CommandTextFromStringFormatIsBuiltSql() =>
        AssertFinding(FindingRule.SqlBuiltFromStrings, 5, """
            class Orders
            {
                void Delete(NpgsqlCommand command, int id)
                {
                    command.CommandText = string.Format("DELETE FROM orders WHERE id = {0}", id);
                }
            }
            """);

    [Fact]
    public void ParameterisedSqlIsNotBuiltSql() =>
        AssertNoFinding(FindingRule.SqlBuiltFromStrings, """
            class Orders
            {
                const string Table = "orders";
                object A(Db db, string customer) => db.Orders.FromSql($"SELECT * FROM orders WHERE customer = {customer}");
                object B(Db db, string customer) => db.Orders.FromSqlRaw("SELECT * FROM orders WHERE customer = {0}", customer);
                object C(Db db) => db.Orders.FromSqlRaw($"SELECT * FROM {Table}");
                object D(Db db) => db.Orders.FromSqlRaw("SELECT * FROM " + Table + " LIMIT 10");
            }
            """);

    [Fact]
    public void CatchAllThatDropsTheExceptionSwallowsIt() =>
        AssertFinding(FindingRule.SwallowedException, 9, """
            using System;
            class Orders
            {
                bool Ship()
                {
                    try
                    {
                        return Send();
                    } catch (Exception) {
                        return true;
                    }
                }
                bool Send() => true;
            }
            """);

    [Fact]
    public void CatchesThatRethrowLogOrAreSpecificDoNotSwallow() =>
        AssertNoFinding(FindingRule.SwallowedException, """
            using System;
            class Orders
            {
                void A(Log log) { try { } catch (Exception e) { log.Error(e, "failed"); } }
                void B() { try { } catch { Cleanup(); throw; } }
                void C() { try { } catch (FormatException) { } }
                void D() { try { } catch (Exception e) when (e is TimeoutException) { } }
                void Cleanup() { }
            }
            """);

    [Fact]
    public void ThreadSleepAndTaskDelayInProductCodeAreFlagged()
    {
        var findings = Find(Service, """
            using System.Threading;
            using System.Threading.Tasks;
            class Orders
            {
                async Task Ship()
                {
                    Thread.Sleep(100);
                    await Task.Delay(50);
                }
            }
            """);
        Assert.Equal([7, 8], findings.Where(f => f.Rule == FindingRule.SleepInProductCode).Select(f => f.Line));
    }

    [Fact]
    public void DelaysInTestsAreNotFlagged()
    {
        var findings = Find("tests/Shop.Api.Tests/OrderTests.cs", """
            using System.Threading.Tasks;
            class OrderTests
            {
                async Task Waits() => await Task.Delay(50);
            }
            """);
        Assert.DoesNotContain(findings, f => f.Rule == FindingRule.SleepInProductCode);
    }

    [Fact]
    public void ModuleInitializerIsFlagged() =>
        AssertFinding(FindingRule.ModuleInitializer, 4, """
            using System.Runtime.CompilerServices;
            static class Boot
            {
                [ModuleInitializer]
                internal static void Run() { }
            }
            """);

    [Fact]
    public void EnvironmentExitAndFailFastAreFlagged()
    {
        var findings = Find(Service, """
            using System;
            class Orders
            {
                void Stop() => Environment.Exit(0);
                void Crash() => System.Environment.FailFast("bye");
            }
            """);
        Assert.Equal([4, 5], findings.Where(f => f.Rule == FindingRule.ProcessExit).Select(f => f.Line));
    }

    [Fact]
    public void GraderVariablesAndPathsAreFlagged()
    {
        var findings = Find(Service, """
            using System;
            using System.IO;
            class Orders
            {
                string? Url() => Environment.GetEnvironmentVariable("ASSESS_SERVICE_URL");
                bool Peek() => File.Exists("/work/package/hidden/Shop.Hidden/Tests.cs");
                object All() => Environment.GetEnvironmentVariables();
                string? Db() => Environment.GetEnvironmentVariable("ConnectionStrings__Db");
            }
            """);
        Assert.Equal([5, 6, 7], findings.Where(f => f.Rule == FindingRule.GraderLookup).Select(f => f.Line));
    }

    [Fact]
    public void ProductCodeLookingForTheTestFrameworkIsFlagged()
    {
        var findings = Find(Service, """
            using System;
            using System.Linq;
            using Xunit;
            class Orders
            {
                object Tests() => AppDomain.CurrentDomain.GetAssemblies()
                    .Where(a => a.FullName!.Contains("xunit"));
            }
            """);
        Assert.Equal([3, 6, 7], findings.Where(f => f.Rule == FindingRule.TestFrameworkReflection).Select(f => f.Line).Order());
    }

    [Fact]
    public void LockedPathsAndBuildFilesAreFlaggedByFile()
    {
        var template = new[] { File("tests/Shop.Api.Tests/OrderTests.cs", "class T { }"), File(Service, "class Orders { }") };
        var candidate = new[] { File("tests/Shop.Api.Tests/OrderTests.cs", "class T { int x; }"), File(Service, "class Orders { }"), File("Directory.Build.targets", "<Project />") };

        var findings = ChangeFindings.Find(TreeComparison.Compare(template, candidate), candidate, ["tests/"]);

        Assert.Collection(findings.OrderBy(f => f.Path, StringComparer.Ordinal),
            f => Assert.Equal((FindingRule.BuildInfrastructure, "Directory.Build.targets", (int?)null), (f.Rule, f.Path, f.Line)),
            f => Assert.Equal((FindingRule.LockedPath, "tests/Shop.Api.Tests/OrderTests.cs", (int?)null), (f.Rule, f.Path, f.Line)));
    }

    [Fact]
    public void CodeTheTemplateAlreadyHadIsNotFlagged()
    {
        const string before = """
            class Orders
            {
                object List(Db db) => db.Orders.ToListAsync().Result;
                int Count(Db db) => 0;
            }
            """;
        const string after = """
            class Orders
            {
                object List(Db db) => db.Orders.ToListAsync().Result;
                int Count(Db db) => db.Orders.CountAsync().Result;
            }
            """;
        var template = new[] { File(Service, before) };
        var candidate = new[] { File(Service, after) };

        var findings = ChangeFindings.Find(TreeComparison.Compare(template, candidate), candidate, []);

        Assert.Equal(4, Assert.Single(findings).Line);
    }

    [Fact]
    public void TheComparisonCountsLinesAndNamesMembers()
    {
        var template = new[]
        {
            File(Service, "class Orders\n{\n    int A() => 1;\n    int B() => 2;\n}\n"),
            File("README.md", "# Shop\n"),
        };
        var candidate = new[]
        {
            File(Service, "class Orders\n{\n    int A() => 1;\n    int B() => 3;\n    int C(string s) => 4;\n}\n"),
            File("docs/NOTES.md", "why\n"),
        };

        var changes = TreeComparison.Compare(template, candidate);

        Assert.Equal(["README.md", "docs/NOTES.md", Service], changes.Select(c => c.Path));
        Assert.Equal(ChangeKind.Removed, changes[0].Kind);
        Assert.Equal(ChangeKind.Added, changes[1].Kind);
        var orders = changes[2];
        Assert.Equal((ChangeKind.Modified, 2, 1), (orders.Kind, orders.LinesAdded, orders.LinesRemoved));
        Assert.Equal([4, 5], orders.AddedLines.Order());
        Assert.Equal([new MemberChange("Orders.B()", ChangeKind.Modified), new MemberChange("Orders.C(string)", ChangeKind.Added)], orders.Members);
    }

    [Fact]
    public void GeneratedFilesAreCountedButNeitherDissectedNorFlagged()
    {
        const string snapshot = """
            // <auto-generated />
            class ShopDbContextModelSnapshot
            {
                void BuildModel() => System.Environment.Exit(1);
            }
            """;
        var template = new[] { File("README.md", "# Shop\n") };
        var candidate = new[] { File("README.md", "# Shop\n"), File("src/Shop.Api/Data/Migrations/ShopDbContextModelSnapshot.cs", snapshot), File("src/Shop.Api/Data/Migrations/20261126_Init.Designer.cs", "class Init { }") };

        var changes = TreeComparison.Compare(template, candidate);

        Assert.All(changes, c => Assert.Equal((true, ChangeKind.Added), (c.Generated, c.Kind)));
        Assert.All(changes, c => Assert.Empty(c.Members));
        Assert.Equal(5, changes.Single(c => c.Path.EndsWith("Snapshot.cs", StringComparison.Ordinal)).LinesAdded);
        Assert.Empty(ChangeFindings.Find(changes, candidate, []));
    }

    public static TheoryData<string> LibraryScenarios() => new(Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "scenarios")).Select(d => new DirectoryInfo(d).Name).Order());

    [Theory]
    [MemberData(nameof(LibraryScenarios))]
    public void ReferenceSolutionsRaiseNoFindings(string scenario)
    {
        var path = Path.Combine(RepositoryRoot.Path, "scenarios", scenario);
        var package = ScenarioPackage.Load(path).GetPackageOrThrow(path);
        var template = package.TemplateFiles.ToList();
        var candidate = GradingRequest.Overlay(template, package.SolutionFiles);

        var changes = TreeComparison.Compare(template, candidate);
        var findings = ChangeFindings.Find(changes, candidate, []);

        Assert.NotEmpty(changes);
        Assert.Empty(findings);
    }

    private static void AssertFinding(string rule, int line, string source)
    {
        var findings = Find(Service, source);
        var finding = Assert.Single(findings, f => f.Rule == rule);
        Assert.Equal((Service, line), (finding.Path, finding.Line));
        Assert.False(string.IsNullOrWhiteSpace(finding.Message));
    }

    private static void AssertNoFinding(string rule, string source) =>
        Assert.DoesNotContain(Find(Service, source), f => f.Rule == rule);

    /// <summary>The source as a file the candidate added to an otherwise unchanged tree.</summary>
    private static IReadOnlyList<FindingOutcome> Find(string path, string source)
    {
        var template = new[] { File("README.md", "# Shop\n") };
        var candidate = new[] { File("README.md", "# Shop\n"), File(path, source) };
        return ChangeFindings.Find(TreeComparison.Compare(template, candidate), candidate, []);
    }

    private static PackageFile File(string path, string text) => new(path, false, Encoding.UTF8.GetBytes(text));
}
