namespace Assessments.Web.Tests;

/// <summary>The web app's folders, read from its IL: no loop between them, and a data model that
/// depends on neither the engine nor the command line (decision 015).</summary>
public sealed class DependencyRulesTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Web =
        DependencyRules.FolderDependencies(typeof(Assessments.Web.Data.AssessmentsDbContext).Assembly.Location);

    [Fact]
    public void FoldersDependOnEachOtherInOneDirectionOnly() => DependencyRules.AssertNoLoops(Web);

    [Fact]
    public void TheDataModelDependsOnNeitherTheEngineNorTheCommandLine() =>
        DependencyRules.AssertDoesNotUse(Web, "Data", "Runner", "CommandLine", "Hosting");

    [Fact]
    public void TheRuleSeesTheFeaturesAndTheirUses()
    {
        // A rule that read nothing would pass on any tree.
        Assert.True(Web.Keys.Count(k => k.StartsWith("Features/", StringComparison.Ordinal)) >= 10, string.Join(", ", Web.Keys));
        Assert.Contains("Data", Web["Features/Grading"].Keys);
        Assert.Contains("Runner", Web["Features/Grading"].Keys);
    }

    [Fact]
    public void ALoopBetweenFeatureFoldersFailsTheRuleAndIsNamed()
    {
        var synthetic = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["Features/A"] = new Dictionary<string, string> { ["Features/B"] = "A.Job → B.Recorder", ["Data"] = "A.Job → Data.Run" },
            ["Features/B"] = new Dictionary<string, string> { ["Features/C"] = "B.Recorder → C.Queue" },
            ["Features/C"] = new Dictionary<string, string> { ["Features/A"] = "C.Queue → A.Job" },
            ["Features/D"] = new Dictionary<string, string> { ["Features/A"] = "D.Page → A.Job" },
            ["Data"] = new Dictionary<string, string>(),
        };

        Assert.Equal([["Features/A", "Features/B", "Features/C"]], DependencyRules.Loops(synthetic));
        var error = Assert.ThrowsAny<Exception>(() => DependencyRules.AssertNoLoops(synthetic));
        Assert.Contains("loop: Features/A, Features/B, Features/C", error.Message);
        Assert.Contains("Features/C → Features/A: C.Queue → A.Job", error.Message);

        // Remove one direction and the same graph passes.
        synthetic["Features/C"] = new Dictionary<string, string>();
        Assert.Empty(DependencyRules.Loops(synthetic));
        DependencyRules.AssertNoLoops(synthetic);
    }
}
