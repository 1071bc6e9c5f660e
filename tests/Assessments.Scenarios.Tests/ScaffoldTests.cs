namespace Assessments.Scenarios.Tests;

public sealed class ScaffoldTests
{
    [Fact]
    public async Task ScaffoldIsAValidPackageUnderTheNewId()
    {
        var library = Directory.CreateTempSubdirectory("scaffold-");
        try
        {
            var path = Path.Combine(library.FullName, "orders-report");
            await ScenarioScaffold.WriteAsync("orders-report", path, TestContext.Current.CancellationToken);
            var result = ScenarioPackage.Load(path, "scenarios/orders-report");
            Assert.Empty(result.Errors);
            Assert.Equal("orders-report", result.Package!.Manifest.Id);
            Assert.Contains(result.Package.Files, f => f.Path == "hidden/Greeting.Hidden/GreetingTests.cs");
            Assert.Contains(result.Package.Manifest.Variants, v => v.Expect == Manifest.VariantExpectation.Fail);
        }
        finally
        {
            library.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Orders Report")]
    [InlineData("../escape")]
    public async Task IdMustBeASlug(string id)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioScaffold.WriteAsync(id, Path.Combine(Path.GetTempPath(), "never"), TestContext.Current.CancellationToken));
        Assert.Contains("is not a scenario id", error.Message);
    }

    [Fact]
    public async Task ExistingFolderIsLeftAlone()
    {
        var existing = Directory.CreateTempSubdirectory("scaffold-");
        try
        {
            File.WriteAllText(Path.Combine(existing.FullName, "keep.txt"), "mine");
            await Assert.ThrowsAsync<IOException>(() => ScenarioScaffold.WriteAsync("x", existing.FullName, TestContext.Current.CancellationToken));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(existing.FullName, "keep.txt")));
        }
        finally
        {
            existing.Delete(recursive: true);
        }
    }
}
