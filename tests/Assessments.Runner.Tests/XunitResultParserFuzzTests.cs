using System.Text;
using System.Xml;
using Assessments.Runner.Execution;
using Assessments.Runner.RepositoryTests;
using Assessments.Runner.Results;

namespace Assessments.Runner.Tests;

/// <summary>The public tests' results file is written on the candidate's side, so its reader takes
/// whatever a candidate writes there. On thousands of files mutated from real xunit output it
/// answers with outcomes or one of the exceptions its callers turn into the tests' error (an XML,
/// format or operation error), never anything else and never a hang; entity expansion stays bounded.</summary>
public sealed class XunitResultParserFuzzTests
{
    private static readonly string[] XmlTokens =
    [
        "<!DOCTYPE assemblies [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]>",
        "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">", "&f;", "&e;", "&#0;", "&#x1;", "&#xFFFFFFFF;", "&amp;", "]]>", "<![CDATA[", "<?xml version=\"1.0\"?>",
        "<test name=\"x\" result=\"Pass\" time=\"1e308\" source-line=\"-99999999999\"/>", "<test/>", "<test result=\"Fail\"><failure/></test>",
        "<test result=\"Fail\"><failure exception-type=\"Xunit.Sdk.X\"><message>\\x\\u\\</message></failure></test>",
        "time=\"NaN\"", "result=\"Skip\"", "method=\"\"", "name=\"" + new string('n', 10_000) + "\"", "\u0001", "\uFFFE", "\ud800", "<", ">", "\"", "'", "=", "/>",
        "<output>" + new string('o', 100_000) + "</output>",
    ];

    [Fact]
    public async Task MutatedResultsFilesAreReadOrRefusedWithAnXmlErrorNeverAnythingElse()
    {
        var fixtures = new[] { "xunit-v3-main.xml", "xunit-v3-after-restart.xml" }
            .Select(name => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))
            .ToList();
        await Fuzzer.RunAsync(
            "xunit-results",
            iterations: 2000,
            fuzzer =>
            {
                var xml = fuzzer.Pick(fixtures);
                // Line-level changes after breaking the one-line file at its tags, and byte-level ones.
                var text = fuzzer.MutateText(xml.Replace("><", ">\n<", StringComparison.Ordinal), XmlTokens);
                return fuzzer.Random.Next(4) == 0 ? Encoding.UTF8.GetString(fuzzer.Mutate(Encoding.UTF8.GetBytes(text))) : text;
            },
            xml =>
            {
                try
                {
                    var outcomes = XunitResultParser.Parse(xml, TestVisibility.Public, null, methodNames: false);
                    Assert.All(outcomes, o => Assert.True((o.Output?.Length ?? 0) <= XunitResultParser.OutputCap + 100, "output past its cap"));
                }
                catch (Exception e) when (e is XmlException or FormatException or InvalidOperationException)
                {
                    // What ReadPublicResultsAsync and RepositoryTestRun turn into the tests' error.
                }

                return Task.CompletedTask;
            },
            Encoding.UTF8.GetBytes);
    }
}
