using System.Globalization;
using System.Xml.Linq;
using Assessments.Runner.Results;

namespace Assessments.Runner.Execution;

/// <summary>Reads the xUnit.net v2+ XML result format (<c>-result-xml</c> of a v3 test executable)
/// into test outcomes, in the order the tests stand in their source files.</summary>
public static class XunitResultParser
{
    /// <summary>Output kept per test; the rest is cut and flagged, so a flood cannot bloat a report.</summary>
    public const int OutputCap = 16 * 1024;

    /// <summary>Parses <paramref name="xml"/>; <paramref name="methodNames"/> picks how tests are named
    /// (hidden tests by method name, public ones by their full name).</summary>
    public static IReadOnlyList<TestOutcome> Parse(string xml, TestVisibility visibility, string? phase, bool methodNames)
    {
        var document = XDocument.Parse(xml);
        return document.Descendants("test")
            .Select(test => new
            {
                Outcome = ToOutcome(test, visibility, phase, methodNames),
                File = (string?)test.Attribute("source-file") ?? "",
                Line = int.TryParse((string?)test.Attribute("source-line"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var line) ? line : int.MaxValue,
                Name = (string?)test.Attribute("name") ?? "",
            })
            .OrderBy(t => t.File, StringComparer.Ordinal)
            .ThenBy(t => t.Line)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => t.Outcome)
            .ToList();
    }

    private static TestOutcome ToOutcome(XElement test, TestVisibility visibility, string? phase, bool methodNames)
    {
        var failure = test.Element("failure");
        var status = (string?)test.Attribute("result") switch
        {
            "Pass" => TestStatus.Pass,
            "Skip" or "NotRun" => TestStatus.Skipped,
            // An assertion failure is a fail; any other exception means the test could not judge.
            "Fail" when ((string?)failure?.Attribute("exception-type"))?.StartsWith("Xunit.Sdk.", StringComparison.Ordinal) == true => TestStatus.Fail,
            _ => TestStatus.Error,
        };

        var fullName = (string?)test.Attribute("name") ?? "";
        var method = (string?)test.Attribute("method");
        var name = methodNames && method is not null
            ? method + (fullName.Contains('(') ? fullName[fullName.IndexOf('(')..] : "")
            : fullName;
        var (output, truncated) = Cap(test.Element("output")?.Value);
        var message = Unescape(status == TestStatus.Skipped
            ? test.Element("reason")?.Value
            : failure?.Element("message")?.Value);

        return new TestOutcome
        {
            Name = name,
            Visibility = visibility,
            Phase = phase,
            Status = status,
            Message = message,
            Output = output,
            OutputTruncated = truncated,
            DurationMs = double.TryParse((string?)test.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds * 1000 : 0,
        };
    }

    /// <summary>xunit writes messages and skip reasons with C-style escapes (<c>\"</c>,
    /// <c>\\</c>, <c>\t</c>, <c>\0</c>, <c>\x01</c>); a reviewer reads them as the test wrote them.
    /// Output is written as it was printed.</summary>
    internal static string? Unescape(string? text)
    {
        if (text is null || !text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var plain = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                plain.Append(text[i]);
                continue;
            }

            var next = text[++i];
            switch (next)
            {
                case '"' or '\\' or '\'':
                    plain.Append(next);
                    break;
                case 't' or 'r' or 'n' or '0':
                    plain.Append(next switch { 't' => '\t', 'r' => '\r', 'n' => '\n', _ => '\0' });
                    break;
                case 'x' when i + 2 < text.Length && int.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    plain.Append((char)code);
                    i += 2;
                    break;
                default:
                    // Not an escape xunit writes: keep it as it stands.
                    plain.Append('\\').Append(next);
                    break;
            }
        }

        return plain.ToString();
    }

    /// <summary>Output cut at <see cref="OutputCap"/>, and whether it was.</summary>
    internal static (string? Output, bool Truncated) Cap(string? output) =>
        output is null || output.Length <= OutputCap ? (output, false) : (output[..OutputCap], true);
}
