using System.Text;

namespace Assessments.Web.Features.Lifecycle;

/// <summary>One candidate of an invitation list, as the file gave it.</summary>
/// <param name="Line">The line in the file (the header is line 1).</param>
public sealed record CandidateRow(int Line, string Name, string Email, string? GitHub);

/// <summary>Why a list of candidates was not read at all.</summary>
public sealed class CandidateCsvException(string message) : Exception(message);

/// <summary>Reads an invitation list: CSV (RFC 4180: commas, double quotes, CRLF or LF) with a
/// header naming the columns <c>name</c>, <c>email</c> and optionally <c>github</c>, in any order
/// and case, as spreadsheets export it (a byte order mark is fine). Other columns are ignored.</summary>
public static class CandidateCsv
{
    public const int MaxRows = 500;

    public static IReadOnlyList<CandidateRow> Read(string text)
    {
        var records = Records(text.TrimStart('\uFEFF')).Where(r => r.Fields.Any(f => f.Length > 0)).ToList();
        if (records.Count == 0)
        {
            throw new CandidateCsvException("The file is empty: its first line names the columns (name,email,github).");
        }

        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var name = header.IndexOf("name");
        var email = header.IndexOf("email");
        var github = header.IndexOf("github");
        if (name < 0 || email < 0)
        {
            throw new CandidateCsvException($"Line 1 names the columns {string.Join(", ", header.Select(h => $"'{h}'"))}: it needs 'name' and 'email' (and may have 'github').");
        }

        if (records.Count - 1 > MaxRows)
        {
            throw new CandidateCsvException($"The file has {records.Count - 1} candidates; at most {MaxRows} are invited at once.");
        }

        return [.. records.Skip(1).Select(r => new CandidateRow(
            r.Line,
            Field(r.Fields, name) ?? "",
            Field(r.Fields, email) ?? "",
            Field(r.Fields, github)))];
    }

    private static string? Field(IReadOnlyList<string> fields, int index) =>
        index >= 0 && index < fields.Count && fields[index].Trim() is { Length: > 0 } value ? value : null;

    private static IEnumerable<(int Line, List<string> Fields)> Records(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (start, fields);
                    fields = [];
                    line++;
                    start = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new CandidateCsvException($"Line {start}: a quoted field is never closed.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
