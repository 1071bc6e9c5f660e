using System.Globalization;
using System.Xml.Linq;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;

namespace Assessments.Runner.RepositoryTests;

/// <summary>Reads a VSTest TRX file (<c>dotnet test --logger trx</c>, how xunit 2 projects run)
/// into test outcomes, in the order the file lists them.</summary>
public static partial class TrxResultParser
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>Parses <paramref name="trx"/>; tests are named by their fully qualified name.</summary>
    public static IReadOnlyList<TestOutcome> Parse(string trx)
    {
        // VSTest writes the file with a byte order mark, which XDocument.Parse takes for content.
        var document = XDocument.Parse(trx.TrimStart('\uFEFF'));
        return document.Descendants(Ns + "UnitTestResult").Select(result =>
        {
            var output = result.Element(Ns + "Output");
            var error = output?.Element(Ns + "ErrorInfo");
            var message = error?.Element(Ns + "Message")?.Value;
            var stdout = output?.Element(Ns + "StdOut")?.Value;
            var status = (string?)result.Attribute("outcome") switch
            {
                "Passed" => TestStatus.Pass,
                "NotExecuted" or "Inconclusive" => TestStatus.Skipped,
                // The adapter writes an assertion's message as it is, any other exception as
                // "Type : message": that one kept the test from judging.
                "Failed" when message is not null && !ExceptionPrefix().IsMatch(message) => TestStatus.Fail,
                _ => TestStatus.Error,
            };
            // Required by the TRX schema; the adapter writes the test's full display name there.
            var name = (string?)result.Attribute("testName") ?? "?";
            var (capped, truncated) = XunitResultParser.Cap(stdout);
            return new TestOutcome
            {
                Name = name,
                Visibility = TestVisibility.Public,
                Status = status,
                // A skipped test's reason is what the adapter printed for it.
                Message = status == TestStatus.Skipped ? message ?? stdout?.Trim() : message,
                Output = status == TestStatus.Skipped && message is null ? null : capped,
                OutputTruncated = truncated,
                DurationMs = TimeSpan.TryParse((string?)result.Attribute("duration"), CultureInfo.InvariantCulture, out var duration) ? duration.TotalMilliseconds : 0,
            };
        }).ToList();
    }

    // "System.InvalidOperationException : boom": the adapter's form for an exception that is not an assertion.
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?!Xunit\.)[A-Za-z_][\w.]*Exception : ")]
    private static partial System.Text.RegularExpressions.Regex ExceptionPrefix();
}
