using Assessments.Runner.Execution;
using Assessments.Runner.Results;

namespace Assessments.Runner.Tests;

/// <summary>Against real output: the fixtures were written by an xunit.v3 4.0.2 test executable
/// (source in Fixtures/xunit-v3-source.cs.txt) run with -trait and -result-xml.</summary>
public sealed class XunitResultParserTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public void TestsComeInTheOrderTheyStandInTheSource()
    {
        var tests = XunitResultParser.Parse(Fixture("xunit-v3-main.xml"), TestVisibility.Hidden, "main", methodNames: true);
        Assert.Equal(["ListAnswers", "StatementsStayConstant", "ThrowsInsteadOfAsserting", "Skipped"], tests.Select(t => t.Name));
        Assert.All(tests, t => Assert.Equal("main", t.Phase));
        Assert.All(tests, t => Assert.Equal(TestVisibility.Hidden, t.Visibility));
    }

    [Fact]
    public void AssertionFailureIsAFailAndAnyOtherExceptionAnError()
    {
        var tests = XunitResultParser.Parse(Fixture("xunit-v3-main.xml"), TestVisibility.Hidden, "main", methodNames: true).ToDictionary(t => t.Name);

        Assert.Equal(TestStatus.Pass, tests["ListAnswers"].Status);
        Assert.Equal(TestStatus.Fail, tests["StatementsStayConstant"].Status);
        Assert.Equal("statements per request grew from 11 to 201 between 10 and 200 rows", tests["StatementsStayConstant"].Message);
        Assert.Equal(TestStatus.Error, tests["ThrowsInsteadOfAsserting"].Status);
        Assert.Contains("Connection refused", tests["ThrowsInsteadOfAsserting"].Message);
        Assert.Equal(TestStatus.Skipped, tests["Skipped"].Status);
        Assert.Equal("not in this phase", tests["Skipped"].Message);
    }

    [Fact]
    public void OutputIsKeptPerTest()
    {
        var tests = XunitResultParser.Parse(Fixture("xunit-v3-main.xml"), TestVisibility.Hidden, "main", methodNames: true).ToDictionary(t => t.Name);
        Assert.Equal("GET /orders -> 200\n", tests["ListAnswers"].Output);
        Assert.False(tests["ListAnswers"].OutputTruncated);
    }

    [Fact]
    public void TheoryCasesAreSeparateTestsWithTheirArguments()
    {
        var tests = XunitResultParser.Parse(Fixture("xunit-v3-after-restart.xml"), TestVisibility.Hidden, "after-restart", methodNames: true);
        Assert.Equal(["PendingEmailSent(n: 1)", "PendingEmailSent(n: 2)"], tests.Select(t => t.Name));
        Assert.Equal([TestStatus.Pass, TestStatus.Fail], tests.Select(t => t.Status));
    }

    [Fact]
    public void PublicTestsKeepTheirFullName()
    {
        var tests = XunitResultParser.Parse(Fixture("xunit-v3-main.xml"), TestVisibility.Public, null, methodNames: false);
        Assert.Contains(tests, t => t.Name == "Sample.Hidden.OrdersTests.ListAnswers");
    }

    [Fact]
    public void MessagesAreReadWithoutXunitsEscapes()
    {
        // As xunit.v3 4.0.2 wrote Assert.Fail("name \"quoted\" back\\slash tab\there ctl\u0001").
        const string xml = """
            <assemblies><assembly><collection>
            <test name="T.A" type="T" method="A" result="Fail" time="0.01"><failure exception-type="Xunit.Sdk.FailException"><message>name \"quoted\" back\\slash tab\there ctl\x01 \q</message></failure></test>
            <test name="T.S" type="T" method="S" result="Skip" time="0"><reason>skip \"q\"</reason></test>
            </collection></assembly></assemblies>
            """;
        var tests = XunitResultParser.Parse(xml, TestVisibility.Hidden, "main", methodNames: true);
        Assert.Equal("name \"quoted\" back\\slash tab\there ctl\u0001 \\q", tests.Single(t => t.Name == "A").Message);
        Assert.Equal("skip \"q\"", tests.Single(t => t.Name == "S").Message);
    }
}
