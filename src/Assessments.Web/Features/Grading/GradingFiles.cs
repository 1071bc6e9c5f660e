using System.Text;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Web.Features.Grading;

/// <summary>The texts behind a report's list of changed files, kept beside the report so the
/// reviewer's diff needs neither git nor the package. Capped per file and per grading: a
/// candidate who commits a 50 MB log gets a line saying it was left out, not a 50 MB row.</summary>
public static class GradingFiles
{
    /// <summary>The longest text stored for one side of one file.</summary>
    public const int MaxFileChars = 256 * 1024;

    /// <summary>The most text stored for one grading, both sides of every file.</summary>
    public const int MaxTotalChars = 4 * 1024 * 1024;

    /// <summary>Rows for <paramref name="changes"/>, in the report's order, with the template's and
    /// the candidate's text read from the two trees.</summary>
    public static List<GradingFile> From(Guid runId, IReadOnlyList<FileChangeOutcome> changes, IEnumerable<PackageFile> template, IEnumerable<PackageFile> candidate)
    {
        var before = template.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var after = candidate.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var budget = MaxTotalChars;
        var rows = new List<GradingFile>(changes.Count);
        foreach (var change in changes)
        {
            var row = new GradingFile
            {
                GradingRunId = runId,
                Path = change.Path,
                Kind = StoredReports.Stored<FileChangeKind>(change.Kind),
                Binary = change.Binary,
                Generated = change.Generated,
                LinesAdded = change.LinesAdded,
                LinesRemoved = change.LinesRemoved,
            };
            if (!change.Binary)
            {
                var oldText = Text(before, change.Path);
                var newText = Text(after, change.Path);
                var size = (oldText?.Length ?? 0) + (newText?.Length ?? 0);
                if ((oldText?.Length ?? 0) > MaxFileChars || (newText?.Length ?? 0) > MaxFileChars || size > budget)
                {
                    row.TextOmitted = true;
                }
                else
                {
                    row.TemplateText = oldText;
                    row.CandidateText = newText;
                    budget -= size;
                }
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string? Text(Dictionary<string, PackageFile> files, string path) =>
        // PostgreSQL text cannot hold NUL; a file with one is binary and never gets here.
        files.TryGetValue(path, out var file) ? Encoding.UTF8.GetString(file.Content) : null;
}
