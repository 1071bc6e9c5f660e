using DiffPlex;

namespace Assessments.Web.Features.Reviewing;

public enum DiffLineKind
{
    Context,
    Added,
    Removed,
}

/// <summary>One line of a diff: its number on each side (null where it has none) and the
/// findings pinned to it (on the candidate's side).</summary>
public sealed record DiffLine(DiffLineKind Kind, int? OldNumber, int? NewNumber, string Text, IReadOnlyList<Finding> Findings);

/// <summary>A run of changed lines with their context.</summary>
public sealed record DiffHunk(int OldStart, int NewStart, IReadOnlyList<DiffLine> Lines);

/// <summary>The line diff of one changed file, in hunks with three lines of context, as the
/// report page shows it. The text is the candidate's and is only ever written HTML-encoded.</summary>
public static class FileDiffs
{
    private const int Context = 3;

    /// <summary>Lines past this many in one file are not shown; the page says so.</summary>
    public const int MaxLines = 2000;

    public static IReadOnlyList<DiffHunk> Hunks(string? templateText, string? candidateText, IReadOnlyList<Finding> findings)
    {
        var oldLines = Lines(templateText);
        var newLines = Lines(candidateText);
        var byLine = findings.Where(f => f.Line is not null).ToLookup(f => f.Line!.Value);
        // Split by the same rule on both sides and in the diff, so block indices are array indices.
        var diff = Differ.Instance.CreateDiffs(templateText ?? "", candidateText ?? "", ignoreWhiteSpace: false, ignoreCase: false, LineSplitter.Instance);
        var hunks = new List<DiffHunk>();
        List<DiffLine>? current = null;
        int oldStart = 0, newStart = 0, oldNext = 0, newNext = 0, shown = 0;

        void AddContext(int oldFrom, int newFrom, int count)
        {
            for (var i = 0; i < count && shown < MaxLines; i++, shown++)
            {
                current!.Add(new DiffLine(DiffLineKind.Context, oldFrom + i + 1, newFrom + i + 1, newLines[newFrom + i], [.. byLine[newFrom + i + 1]]));
            }
        }

        foreach (var block in diff.DiffBlocks)
        {
            // Unchanged lines between the previous block and this one.
            var gap = block.DeleteStartA - oldNext;
            if (current is not null && gap <= Context * 2)
            {
                AddContext(oldNext, newNext, gap);
            }
            else
            {
                if (current is not null)
                {
                    AddContext(oldNext, newNext, Math.Min(Context, gap));
                    hunks.Add(new DiffHunk(oldStart, newStart, current));
                }

                var lead = Math.Min(Context, block.DeleteStartA);
                oldStart = block.DeleteStartA - lead + 1;
                newStart = block.InsertStartB - lead + 1;
                current = [];
                AddContext(block.DeleteStartA - lead, block.InsertStartB - lead, lead);
            }

            for (var i = 0; i < block.DeleteCountA && shown < MaxLines; i++, shown++)
            {
                current.Add(new DiffLine(DiffLineKind.Removed, block.DeleteStartA + i + 1, null, oldLines[block.DeleteStartA + i], []));
            }

            for (var i = 0; i < block.InsertCountB && shown < MaxLines; i++, shown++)
            {
                var number = block.InsertStartB + i + 1;
                current.Add(new DiffLine(DiffLineKind.Added, null, number, newLines[block.InsertStartB + i], [.. byLine[number]]));
            }

            oldNext = block.DeleteStartA + block.DeleteCountA;
            newNext = block.InsertStartB + block.InsertCountB;
        }

        if (current is not null)
        {
            AddContext(oldNext, newNext, Math.Min(Context, oldLines.Length - oldNext));
            hunks.Add(new DiffHunk(oldStart, newStart, current));
        }

        return hunks;
    }

    /// <summary>Whether <see cref="Hunks"/> stopped at <see cref="MaxLines"/>.</summary>
    public static bool Truncated(IReadOnlyList<DiffHunk> hunks) => hunks.Sum(h => h.Lines.Count) >= MaxLines;

    private static string[] Lines(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    private sealed class LineSplitter : DiffPlex.IChunker
    {
        public static readonly LineSplitter Instance = new();

        public IReadOnlyList<string> Chunk(string text) => Lines(text);
    }
}
