using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Assessments.Scenarios;

/// <summary>A test method found in the hidden project's sources.</summary>
/// <param name="Name">The method name.</param>
/// <param name="Phase">The value of its <c>[Trait("Phase", "...")]</c>, if any.</param>
/// <param name="At">Where the method is declared.</param>
public sealed record HiddenTestMethod(string Name, string? Phase, SourceLocation At);

/// <summary>Finds the xunit test methods of the hidden project by reading its C# sources (syntax
/// only: nothing is built or run), so validation can check the manifest names real tests.</summary>
public static class HiddenTestScanner
{
    private static readonly HashSet<string> TestAttributes = new(StringComparer.Ordinal) { "Fact", "Theory", "FactAttribute", "TheoryAttribute" };

    /// <summary>Scans every <c>.cs</c> file of <paramref name="files"/> below <paramref name="projectDirectory"/>.</summary>
    public static IReadOnlyList<HiddenTestMethod> Scan(IEnumerable<PackageFile> files, string projectDirectory, string displayRoot)
    {
        var prefix = projectDirectory.Length == 0 ? "" : projectDirectory.TrimEnd('/') + "/";
        var methods = new List<HiddenTestMethod>();
        foreach (var file in files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && f.Path.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var display = $"{displayRoot}/{file.Path}";
            var tree = CSharpSyntaxTree.ParseText(System.Text.Encoding.UTF8.GetString(file.Content), path: display);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (!IsTestMethod(method))
                {
                    continue;
                }

                var attributes = method.AttributeLists.SelectMany(l => l.Attributes).ToList();

                var line = method.Identifier.GetLocation().GetLineSpan().StartLinePosition;
                methods.Add(new HiddenTestMethod(method.Identifier.ValueText, PhaseOf(attributes), new SourceLocation(display, line.Line + 1, line.Character + 1)));
            }
        }

        return methods;
    }

    /// <summary>True for a method marked <c>[Fact]</c> or <c>[Theory]</c> (xunit v2 and v3 alike).</summary>
    public static bool IsTestMethod(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(l => l.Attributes).Any(a => TestAttributes.Contains(SimpleName(a.Name)));

    private static string? PhaseOf(IEnumerable<AttributeSyntax> attributes)
    {
        foreach (var attribute in attributes.Where(a => SimpleName(a.Name) is "Trait" or "TraitAttribute"))
        {
            var arguments = attribute.ArgumentList?.Arguments;
            if (arguments is { Count: 2 }
                && arguments.Value[0].Expression is LiteralExpressionSyntax { Token.ValueText: "Phase" }
                && arguments.Value[1].Expression is LiteralExpressionSyntax value)
            {
                return value.Token.ValueText;
            }
        }

        return null;
    }

    private static string SimpleName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => name.ToString(),
    };
}
