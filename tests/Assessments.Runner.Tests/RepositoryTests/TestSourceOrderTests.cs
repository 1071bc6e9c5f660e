using System.Text;
using Assessments.Runner.RepositoryTests;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.RepositoryTests;

/// <summary>Results from any runner, put in the order the tests stand in their files.</summary>
public sealed class TestSourceOrderTests
{
    private static PackageFile File(string path, string text) => new(path, false, Encoding.UTF8.GetBytes(text));

    private static readonly PackageFile[] Tree =
    [
        File("tests/Shop.Tests/B.cs", """
            namespace Shop.Tests;

            public class Basket
            {
                [Fact] public void Zebra() { }
                [Xunit.Theory, InlineData(1)] public void Sums(int a) { }
                public void NotATest() { }

                public class Nested
                {
                    [Fact] public void Inside() { }
                }
            }
            """),
        File("tests/Shop.Tests/A.cs", """
            namespace Shop
            {
                namespace Tests
                {
                    class Address { [FactAttribute] public void Apple() { } }
                }
            }
            """),
        File("tests/Other/C.cs", "namespace Other; class C { [Fact] public void Elsewhere() { } }"),
    ];

    [Fact]
    public void TestsAreOrderedByFileThenLineWithTheoryCasesInRunnerOrderAndUnknownNamesLast()
    {
        var order = TestSourceOrder.Scan(Tree, "tests/Shop.Tests");
        string[] results =
        [
            "Shop.Tests.Basket.Sums(a: 2)", "Custom display name", "Shop.Tests.Basket+Nested.Inside", "Shop.Tests.Basket.Zebra",
            "Shop.Tests.Address.Apple", "Shop.Tests.Basket.Sums(a: 1)", "Other.C.Elsewhere",
        ];

        Assert.Equal(
            ["Shop.Tests.Address.Apple", "Shop.Tests.Basket.Zebra", "Shop.Tests.Basket.Sums(a: 2)", "Shop.Tests.Basket.Sums(a: 1)", "Shop.Tests.Basket+Nested.Inside", "Custom display name", "Other.C.Elsewhere"],
            order.Order(results, r => r));
    }

    [Fact]
    public void FindGivesTheFileAndLineOfTheMethod()
    {
        var order = TestSourceOrder.Scan(Tree, "tests/Shop.Tests");
        Assert.Equal(("tests/Shop.Tests/B.cs", 6), order.Find("Shop.Tests.Basket.Sums(a: 1)"));
        Assert.Null(order.Find("Shop.Tests.Basket.NotATest"));
        Assert.Null(order.Find("Other.C.Elsewhere"));
    }
}
