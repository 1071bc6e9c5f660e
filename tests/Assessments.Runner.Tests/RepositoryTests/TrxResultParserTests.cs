using Assessments.Runner.RepositoryTests;
using Assessments.Runner.Results;

namespace Assessments.Runner.Tests.RepositoryTests;

/// <summary>A TRX file written by <c>dotnet test --logger trx</c> for an xunit 2.9 project
/// (xunit.runner.visualstudio 3.1), read back test by test.</summary>
public sealed class TrxResultParserTests
{
    private static readonly IReadOnlyList<TestOutcome> Results =
        TrxResultParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "xunit-v2.trx")));

    [Fact]
    public void EveryResultIsReadWithItsFullName()
    {
        Assert.Equal(7, Results.Count);
        Assert.All(Results, r => Assert.StartsWith("Shop.V2Tests.CartTests.", r.Name));
        Assert.Equal(2, Results.Count(r => r.Name.StartsWith("Shop.V2Tests.CartTests.Sums(", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnAssertionIsAFailAndAnyOtherExceptionAnError()
    {
        var apple = Results.Single(r => r.Name == "Shop.V2Tests.CartTests.Apple");
        Assert.Equal(TestStatus.Fail, apple.Status);
        Assert.StartsWith("Assert.Equal() Failure: Values differ", apple.Message);

        var throws = Results.Single(r => r.Name == "Shop.V2Tests.CartTests.Throws");
        Assert.Equal((TestStatus.Error, "System.InvalidOperationException : the basket is gone"), (throws.Status, throws.Message));
    }

    [Fact]
    public void ASkippedTestCarriesItsReasonAndOutputIsKeptPerTest()
    {
        var middle = Results.Single(r => r.Name == "Shop.V2Tests.CartTests.Middle");
        Assert.Equal((TestStatus.Skipped, "waiting for the tax rules"), (middle.Status, middle.Message));

        var writes = Results.Single(r => r.Name == "Shop.V2Tests.CartTests.WritesOutput");
        Assert.Equal((TestStatus.Pass, "hello from v2", false), (writes.Status, writes.Output, writes.OutputTruncated));
        Assert.True(writes.DurationMs > 0);
    }
}
