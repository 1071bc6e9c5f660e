using Assessments.Scenarios;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Assessments.Runner.RepositoryTests;

/// <summary>Where each test method of a project stands in its source, by its fully qualified name
/// (<c>Namespace.Class.Method</c>, nested classes joined with <c>+</c> as runners name them):
/// read from the syntax alone, so results from any runner can be put in file order.</summary>
public sealed class TestSourceOrder
{
    private readonly Dictionary<string, (string Path, int Line)> _methods;

    private TestSourceOrder(Dictionary<string, (string Path, int Line)> methods) => _methods = methods;

    /// <summary>Scans the <c>.cs</c> files of <paramref name="files"/> below <paramref name="projectDirectory"/>.</summary>
    public static TestSourceOrder Scan(IEnumerable<PackageFile> files, string projectDirectory)
    {
        var prefix = projectDirectory.Length == 0 ? "" : projectDirectory.TrimEnd('/') + "/";
        var methods = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && f.Path.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var tree = CSharpSyntaxTree.ParseText(System.Text.Encoding.UTF8.GetString(file.Content));
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (method.Parent is not TypeDeclarationSyntax type || !HiddenTestScanner.IsTestMethod(method))
                {
                    continue;
                }

                var line = method.Identifier.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                methods.TryAdd($"{TypeName(type)}.{method.Identifier.ValueText}", (file.Path, line));
            }
        }

        return new TestSourceOrder(methods);
    }

    /// <summary>The file and line of a test by its result name (theory arguments and all); null
    /// for a name the sources do not declare (a display name, an inherited test).</summary>
    public (string Path, int Line)? Find(string resultName)
    {
        var name = resultName.IndexOf('(') is var open and > 0 ? resultName[..open] : resultName;
        return _methods.TryGetValue(name.Trim(), out var at) ? at : null;
    }

    /// <summary>The outcomes ordered by file and line; tests of the same method keep the runner's
    /// order, tests the sources do not declare come last in the runner's order.</summary>
    public IReadOnlyList<T> Order<T>(IEnumerable<T> outcomes, Func<T, string> name) =>
        outcomes
            .Select((outcome, index) => (Outcome: outcome, Index: index, At: Find(name(outcome))))
            .OrderBy(t => t.At is null)
            .ThenBy(t => t.At?.Path, StringComparer.Ordinal)
            .ThenBy(t => t.At?.Line)
            .ThenBy(t => t.Index)
            .Select(t => t.Outcome)
            .ToList();

    private static string TypeName(TypeDeclarationSyntax type)
    {
        var names = new List<string>();
        string? ns = null;
        for (var node = type.Parent; node is not null; node = node.Parent)
        {
            if (node is TypeDeclarationSyntax outer)
            {
                names.Insert(0, outer.Identifier.ValueText);
            }
            else if (node is BaseNamespaceDeclarationSyntax declared)
            {
                ns = ns is null ? declared.Name.ToString() : $"{declared.Name}.{ns}";
            }
        }

        names.Add(type.Identifier.ValueText);
        var nested = string.Join('+', names);
        return ns is null ? nested : $"{ns}.{nested}";
    }
}
