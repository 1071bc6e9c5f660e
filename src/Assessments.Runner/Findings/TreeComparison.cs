using System.Text;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using DiffPlex;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Assessments.Runner.Findings;

/// <summary>One file the candidate's tree has differently from the template.</summary>
/// <param name="Path">Relative to the repository root.</param>
/// <param name="Binary">True when either side is not text; lines are then not counted.</param>
/// <param name="Generated">Marked as generated (<c>// &lt;auto-generated</c>, <c>*.Designer.cs</c>, <c>*.g.cs</c>): counted, but
/// neither its members nor findings are listed.</param>
/// <param name="AddedLines">1-based lines of the candidate's file that are new or changed.</param>
public sealed record FileChange(
    string Path,
    ChangeKind Kind,
    bool Binary,
    bool Generated,
    int LinesAdded,
    int LinesRemoved,
    IReadOnlySet<int> AddedLines,
    IReadOnlyList<MemberChange> Members)
{
    /// <summary>The change as the report carries it.</summary>
    public FileChangeOutcome ToOutcome() => new(Path, Kind, Binary, Generated, LinesAdded, LinesRemoved, Members);
}

/// <summary>The candidate's tree against the template it started from: which files changed, by
/// how many lines, and which members. Everything is read in memory; nothing is built.</summary>
public static class TreeComparison
{
    /// <summary>Every file that differs, in path order.</summary>
    public static IReadOnlyList<FileChange> Compare(IReadOnlyList<PackageFile> template, IReadOnlyList<PackageFile> candidate)
    {
        var before = template.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var after = candidate.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var changes = new List<FileChange>();
        foreach (var path in before.Keys.Union(after.Keys).Order(Comparer<string>.Create(PackageFiles.CompareOrdinalUtf8)))
        {
            before.TryGetValue(path, out var old);
            after.TryGetValue(path, out var current);
            if (old is not null && current is not null && old.Content.AsSpan().SequenceEqual(current.Content))
            {
                continue;
            }

            changes.Add(Change(path, old, current));
        }

        return changes;
    }

    private static FileChange Change(string path, PackageFile? old, PackageFile? current)
    {
        var kind = old is null ? ChangeKind.Added : current is null ? ChangeKind.Removed : ChangeKind.Modified;
        if ((old is not null && IsBinary(old.Content)) || (current is not null && IsBinary(current.Content)))
        {
            return new FileChange(path, kind, true, false, 0, 0, new HashSet<int>(), []);
        }

        var oldText = old is null ? "" : Encoding.UTF8.GetString(old.Content);
        var newText = current is null ? "" : Encoding.UTF8.GetString(current.Content);
        var diff = Differ.Instance.CreateLineDiffs(oldText, newText, false);
        var added = new HashSet<int>();
        var removed = 0;
        foreach (var block in diff.DiffBlocks)
        {
            removed += block.DeleteCountA;
            for (var line = block.InsertStartB; line < block.InsertStartB + block.InsertCountB; line++)
            {
                added.Add(line + 1);
            }
        }

        var generated = IsGenerated(path, newText.Length > 0 ? newText : oldText);
        var members = path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) && !generated ? Members(oldText, newText) : [];
        return new FileChange(path, kind, false, generated, added.Count, removed, added, members);
    }

    private static List<MemberChange> Members(string oldText, string newText)
    {
        var before = MembersOf(oldText);
        var after = MembersOf(newText);
        var changes = new List<MemberChange>();
        foreach (var (name, text) in after)
        {
            if (!before.TryGetValue(name, out var old))
            {
                changes.Add(new MemberChange(name, ChangeKind.Added));
            }
            else if (old != text)
            {
                changes.Add(new MemberChange(name, ChangeKind.Modified));
            }
        }

        changes.AddRange(before.Keys.Where(name => !after.ContainsKey(name)).Select(name => new MemberChange(name, ChangeKind.Removed)));
        return changes;
    }

    /// <summary>Each member by its qualified name, with its text normalised so that whitespace
    /// alone is no change.</summary>
    private static Dictionary<string, string> MembersOf(string text)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return members;
        }

        var root = CSharpSyntaxTree.ParseText(text).GetRoot();
        foreach (var member in root.DescendantNodes().OfType<MemberDeclarationSyntax>())
        {
            if (member is BaseTypeDeclarationSyntax or BaseNamespaceDeclarationSyntax or DelegateDeclarationSyntax)
            {
                continue;
            }

            foreach (var name in NamesOf(member))
            {
                // The first of two same-named members wins; a rename still shows as removed and added.
                members.TryAdd(name, member.NormalizeWhitespace().ToFullString());
            }
        }

        // Top-level statements (Program.cs) are one member of their own.
        var statements = root.ChildNodes().OfType<GlobalStatementSyntax>().ToList();
        if (statements.Count > 0)
        {
            members["<top-level statements>"] = string.Join("\n", statements.Select(s => s.NormalizeWhitespace().ToFullString()));
        }

        return members;
    }

    private static IEnumerable<string> NamesOf(MemberDeclarationSyntax member)
    {
        var type = string.Join('.', member.Ancestors().OfType<BaseTypeDeclarationSyntax>().Reverse().Select(t => t.Identifier.ValueText));
        var prefix = type.Length == 0 ? "" : type + ".";
        switch (member)
        {
            case MethodDeclarationSyntax method:
                yield return $"{prefix}{method.Identifier.ValueText}{Parameters(method.ParameterList)}";
                break;
            case ConstructorDeclarationSyntax constructor:
                yield return $"{prefix}{constructor.Identifier.ValueText}{Parameters(constructor.ParameterList)}";
                break;
            case PropertyDeclarationSyntax property:
                yield return prefix + property.Identifier.ValueText;
                break;
            case IndexerDeclarationSyntax indexer:
                yield return $"{prefix}this[{string.Join(", ", indexer.ParameterList.Parameters.Select(p => p.Type?.ToString()))}]";
                break;
            case EventDeclarationSyntax @event:
                yield return prefix + @event.Identifier.ValueText;
                break;
            case BaseFieldDeclarationSyntax field:
                foreach (var variable in field.Declaration.Variables)
                {
                    yield return prefix + variable.Identifier.ValueText;
                }

                break;
            case OperatorDeclarationSyntax @operator:
                yield return $"{prefix}operator {@operator.OperatorToken.ValueText}{Parameters(@operator.ParameterList)}";
                break;
            case ConversionOperatorDeclarationSyntax conversion:
                yield return $"{prefix}{conversion.ImplicitOrExplicitKeyword.ValueText} operator {conversion.Type}";
                break;
            case DestructorDeclarationSyntax:
                yield return $"{prefix}~{type}";
                break;
        }
    }

    private static string Parameters(ParameterListSyntax parameters) =>
        $"({string.Join(", ", parameters.Parameters.Select(p => p.Type?.ToString() ?? p.Identifier.ValueText))})";

    /// <summary>The conventions tools follow: a header comment, or a file name that says so.</summary>
    private static bool IsGenerated(string path, string text) =>
        path.EndsWith(".Designer.cs", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".g.i.cs", StringComparison.OrdinalIgnoreCase)
        || text.AsSpan(0, Math.Min(text.Length, 1024)).Contains("<auto-generated", StringComparison.OrdinalIgnoreCase);

    /// <summary>Git's rule: a NUL byte in the first 8000 bytes means binary.</summary>
    private static bool IsBinary(byte[] content) => content.AsSpan(0, Math.Min(content.Length, 8000)).Contains((byte)0);
}
