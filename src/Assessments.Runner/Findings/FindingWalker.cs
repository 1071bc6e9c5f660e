using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Assessments.Runner.Findings;

/// <summary>Walks one file of the candidate's tree and records what each rule sees. Types are
/// taken from the semantic model where it binds them (the BCL); where it cannot (EF Core, Npgsql
/// are not referenced), the rules fall back to names, which is what a reviewer reads too.</summary>
internal sealed class FindingWalker(SemanticModel model, string path, bool productCode) : CSharpSyntaxWalker
{
    private static readonly HashSet<string> RawSqlMethods = new(StringComparer.Ordinal)
    {
        "FromSqlRaw", "ExecuteSqlRaw", "ExecuteSqlRawAsync", "SqlQueryRaw", "SqlQueryRawAsync",
    };

    private static readonly HashSet<string> SqlCommandTypes = new(StringComparer.Ordinal)
    {
        "NpgsqlCommand", "SqlCommand", "NpgsqlBatchCommand", "SqliteCommand", "MySqlCommand",
    };

    private static readonly string[] GraderMarks = ["ASSESS_", "/work/package", "/work/out", "/work/results", "results-main", "hidden/", "Hidden.dll", "/nuget/", "/etc/assessments"];

    /// <summary>Dapper's names and <c>NpgsqlDataSource.CreateCommand</c> are common words: they count only where the text reads as SQL.</summary>
    private static readonly HashSet<string> GenericSqlMethods = new(StringComparer.Ordinal)
    {
        "Query", "QueryAsync", "QueryFirst", "QueryFirstAsync", "QueryFirstOrDefault", "QueryFirstOrDefaultAsync",
        "QuerySingle", "QuerySingleAsync", "QuerySingleOrDefault", "QuerySingleOrDefaultAsync", "Execute", "ExecuteAsync", "ExecuteScalar", "ExecuteScalarAsync",
        "CreateCommand",
    };

    private static readonly string[] SqlKeywords = ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", " FROM ", " WHERE ", "select ", "insert ", "update ", "delete ", " from ", " where "];

    /// <summary>Types by namespace and name, <c>System.String</c> rather than <c>string</c>.</summary>
    private static readonly SymbolDisplayFormat QualifiedFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

    private static readonly string[] TestFrameworkMarks = ["xunit", "nunit", "mstest", "testhost", "Microsoft.VisualStudio.TestPlatform", "Microsoft.Testing.Platform"];

    public List<FindingOutcome> Findings { get; } = [];

    public override void VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
    {
        if (node.Name.Identifier.ValueText == "Result" && node.Parent is not InvocationExpressionSyntax && IsTask(node.Expression))
        {
            Add(FindingRule.BlockingOnAsync, FindingSeverity.Concern, node.Name,
                "`.Result` blocks a thread until the task ends: under load it starves the thread pool, and it can deadlock. `await` it.");
        }

        base.VisitMemberAccessExpression(node);
    }

    public override void VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var (receiver, name) = Target(node);
        switch (name)
        {
            case "Wait" when receiver is not null && IsTask(receiver):
            case "WaitAll" or "WaitAny" when IsType(receiver, "System.Threading.Tasks.Task", "Task"):
                Add(FindingRule.BlockingOnAsync, FindingSeverity.Concern, node,
                    $"`{name}()` blocks a thread until the task ends: under load it starves the thread pool, and it can deadlock. `await` it.");
                break;
            case "GetResult" when receiver is InvocationExpressionSyntax awaiter && Target(awaiter).Name == "GetAwaiter":
                Add(FindingRule.BlockingOnAsync, FindingSeverity.Concern, node,
                    "`GetAwaiter().GetResult()` blocks a thread until the task ends, as `.Result` does. `await` it.");
                break;
            case "Sleep" when productCode && IsType(receiver, "System.Threading.Thread", "Thread"):
            case "Delay" when productCode && IsType(receiver, "System.Threading.Tasks.Task", "Task"):
                Add(FindingRule.SleepInProductCode, FindingSeverity.Warning, node,
                    $"A `{receiver}.{name}` in product code: a wait that makes a race less likely rather than impossible, or a slowdown. Check what it waits for.");
                break;
            case "Exit" or "FailFast" when IsType(receiver, "System.Environment", "Environment"):
                Add(FindingRule.ProcessExit, FindingSeverity.Concern, node,
                    $"`Environment.{name}` ends the process from inside the service: requests in flight are lost, and no test or reviewer expects it.");
                break;
            case "GetEnvironmentVariables" when IsType(receiver, "System.Environment", "Environment"):
                Add(FindingRule.GraderLookup, FindingSeverity.Concern, node,
                    "Reads every environment variable: a service needs the ones its configuration names, not a list of what else is set.");
                break;
            case "GetAssemblies" or "LoadFrom" or "LoadFile" when IsTestFrameworkLookup(node):
                Add(FindingRule.TestFrameworkReflection, FindingSeverity.Concern, node,
                    "Reflection over loaded or on-disk assemblies next to a test framework's name: product code has no business finding tests.");
                break;
        }

        if (name is not null && (RawSqlMethods.Contains(name) || GenericSqlMethods.Contains(name))
            && node.ArgumentList.Arguments.FirstOrDefault(a => a.NameColon is null || a.NameColon.Name.Identifier.ValueText == "sql") is { } sql
            && IsBuiltString(sql.Expression, depth: 0)
            && (RawSqlMethods.Contains(name) || ReadsAsSql(sql.Expression)))
        {
            Add(FindingRule.SqlBuiltFromStrings, FindingSeverity.Concern, sql,
                $"SQL for `{name}` is built from strings: a value spliced in is an injection, and every value makes a new plan. Pass parameters (`FromSql($\"…{{value}}\")` or `@p` parameters).");
        }

        base.VisitInvocationExpression(node);
    }

    public override void VisitObjectCreationExpression(ObjectCreationExpressionSyntax node)
    {
        var type = node.Type is QualifiedNameSyntax qualified ? qualified.Right.Identifier.ValueText : (node.Type as SimpleNameSyntax)?.Identifier.ValueText;
        if (type is not null && SqlCommandTypes.Contains(type) && node.ArgumentList?.Arguments.FirstOrDefault() is { } sql && IsBuiltString(sql.Expression, depth: 0))
        {
            Add(FindingRule.SqlBuiltFromStrings, FindingSeverity.Concern, sql,
                $"The `{type}` text is built from strings: a value spliced in is an injection. Add parameters instead.");
        }

        base.VisitObjectCreationExpression(node);
    }

    public override void VisitAssignmentExpression(AssignmentExpressionSyntax node)
    {
        if (node.Left is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CommandText" } && IsBuiltString(node.Right, depth: 0))
        {
            Add(FindingRule.SqlBuiltFromStrings, FindingSeverity.Concern, node.Right,
                "`CommandText` is built from strings: a value spliced in is an injection. Add parameters instead.");
        }

        base.VisitAssignmentExpression(node);
    }

    public override void VisitCatchClause(CatchClauseSyntax node)
    {
        var catchAll = node.Declaration is null || node.Declaration.Type.ToString() is "Exception" or "System.Exception" or "global::System.Exception";
        if (catchAll && node.Filter is null && !Rethrows(node.Block) && !UsesException(node))
        {
            Add(FindingRule.SwallowedException, FindingSeverity.Warning, node.CatchKeyword,
                "Catches every exception and drops it: failures vanish without a trace, and callers see success. Catch what is expected, or log and rethrow.");
        }

        base.VisitCatchClause(node);
    }

    public override void VisitAttribute(AttributeSyntax node)
    {
        var name = node.Name is QualifiedNameSyntax qualified ? qualified.Right.Identifier.ValueText : node.Name.ToString();
        if (name is "ModuleInitializer" or "ModuleInitializerAttribute")
        {
            Add(FindingRule.ModuleInitializer, FindingSeverity.Concern, node,
                "A module initializer runs when the assembly loads, before any of the service's own code, and whoever loads it: check why it is needed.");
        }

        base.VisitAttribute(node);
    }

    public override void VisitLiteralExpression(LiteralExpressionSyntax node)
    {
        if (node.IsKind(SyntaxKind.StringLiteralExpression))
        {
            Strings(node, node.Token.ValueText);
        }

        base.VisitLiteralExpression(node);
    }

    public override void VisitInterpolatedStringText(InterpolatedStringTextSyntax node)
    {
        Strings(node, node.TextToken.ValueText);
        base.VisitInterpolatedStringText(node);
    }

    public override void VisitUsingDirective(UsingDirectiveSyntax node)
    {
        if (productCode && node.Name?.ToString() is { } name && TestFrameworkMarks.Any(mark => name.StartsWith(mark, StringComparison.OrdinalIgnoreCase)))
        {
            Add(FindingRule.TestFrameworkReflection, FindingSeverity.Concern, node,
                $"Product code imports the test framework `{name}`: the service should not know it is being tested.");
        }

        base.VisitUsingDirective(node);
    }

    private void Strings(SyntaxNode node, string text)
    {
        if (GraderMarks.FirstOrDefault(mark => text.Contains(mark, StringComparison.Ordinal)) is { } grader)
        {
            Add(FindingRule.GraderLookup, FindingSeverity.Concern, node,
                $"Names `{grader}`, which is the grader's, not the service's: a service has no reason to look for the grading environment.");
        }
        else if (productCode && TestFrameworkMarks.FirstOrDefault(mark => text.Contains(mark, StringComparison.OrdinalIgnoreCase)) is { } framework)
        {
            Add(FindingRule.TestFrameworkReflection, FindingSeverity.Concern, node,
                $"Product code names the test framework `{framework}`: the service should not go looking for tests.");
        }
    }

    /// <summary>A string made at run time from parts: interpolation with holes, <c>+</c> with a
    /// non-constant side, <c>string.Format</c>/<c>Concat</c>/<c>Join</c>, a <c>StringBuilder</c>,
    /// or a local whose value was made so.</summary>
    private bool IsBuiltString(ExpressionSyntax expression, int depth)
    {
        if (depth > 4)
        {
            return false;
        }

        switch (expression)
        {
            case InterpolatedStringExpressionSyntax interpolated:
                return interpolated.Contents.OfType<InterpolationSyntax>().Any(hole => !model.GetConstantValue(hole.Expression).HasValue);
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression):
                return !model.GetConstantValue(binary).HasValue
                    && (IsTextual(binary.Left) || IsTextual(binary.Right));
            case ParenthesizedExpressionSyntax parenthesized:
                return IsBuiltString(parenthesized.Expression, depth + 1);
            case InvocationExpressionSyntax invocation:
                var (receiver, name) = Target(invocation);
                return (name is "Format" or "Concat" or "Join" && IsType(receiver, "System.String", "string", "String"))
                    || (name == "ToString" && receiver is not null && IsType(model.GetTypeInfo(receiver).Type, "System.Text.StringBuilder"));
            case IdentifierNameSyntax identifier when model.GetSymbolInfo(identifier).Symbol is ILocalSymbol local:
                var declarator = local.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
                if (declarator?.Initializer is { } initializer && IsBuiltString(initializer.Value, depth + 1))
                {
                    return true;
                }

                // Built up after its declaration: `sql += …` or `sql = … + …` in the same body.
                var body = declarator?.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or GlobalStatementSyntax or AccessorDeclarationSyntax);
                var scope = body is GlobalStatementSyntax ? body.Parent : body;
                return scope?.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(assignment =>
                    assignment.Left is IdentifierNameSyntax { Identifier.ValueText: var assigned } && assigned == local.Name
                    && (assignment.IsKind(SyntaxKind.AddAssignmentExpression) ? !model.GetConstantValue(assignment.Right).HasValue : IsBuiltString(assignment.Right, depth + 1))) ?? false;
            default:
                return false;
        }
    }

    private static bool ReadsAsSql(SyntaxNode expression) =>
        expression.DescendantTokens().Any(token => token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.InterpolatedStringTextToken
            && SqlKeywords.Any(keyword => token.ValueText.Contains(keyword, StringComparison.Ordinal)));

    private bool IsTextual(ExpressionSyntax expression) =>
        expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } or InterpolatedStringExpressionSyntax
        || model.GetTypeInfo(expression).Type?.SpecialType == SpecialType.System_String;

    /// <summary>A task, by type where it binds, else by the usual names: a call ending in Async, or a
    /// variable called task.</summary>
    private bool IsTask(ExpressionSyntax expression)
    {
        var type = model.GetTypeInfo(expression).Type;
        if (type is not null and not IErrorTypeSymbol)
        {
            return IsType(type.OriginalDefinition, "System.Threading.Tasks.Task", "System.Threading.Tasks.Task<TResult>", "System.Threading.Tasks.ValueTask", "System.Threading.Tasks.ValueTask<TResult>")
                || (type.BaseType is { } baseType && IsType(baseType.OriginalDefinition, "System.Threading.Tasks.Task", "System.Threading.Tasks.Task<TResult>"));
        }

        return expression switch
        {
            InvocationExpressionSyntax invocation => Target(invocation).Name?.EndsWith("Async", StringComparison.Ordinal) ?? false,
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText.EndsWith("task", StringComparison.OrdinalIgnoreCase),
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText.EndsWith("Task", StringComparison.Ordinal),
            _ => false,
        };
    }

    private bool IsType(ExpressionSyntax? receiver, string metadataName, params string[] spellings)
    {
        if (receiver is null)
        {
            return false;
        }

        if (model.GetSymbolInfo(receiver).Symbol is ITypeSymbol type)
        {
            return type.ToDisplayString(QualifiedFormat) == metadataName;
        }

        // Unbound (a using alias the model could not follow): the spelling decides.
        var text = receiver.ToString();
        return text == metadataName || text == "global::" + metadataName || spellings.Contains(text, StringComparer.Ordinal);
    }

    private static bool IsType(ITypeSymbol? type, params string[] names) =>
        type is not null && names.Contains(type.ToDisplayString(QualifiedFormat), StringComparer.Ordinal);

    private static bool IsTestFrameworkLookup(InvocationExpressionSyntax node)
    {
        var statement = node.FirstAncestorOrSelf<StatementSyntax>() ?? (SyntaxNode)node;
        var scope = statement.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() ?? statement;
        return scope.DescendantTokens().Any(token => token.IsKind(SyntaxKind.StringLiteralToken)
            && TestFrameworkMarks.Any(mark => token.ValueText.Contains(mark, StringComparison.OrdinalIgnoreCase)));
    }

    private static bool Rethrows(BlockSyntax block) =>
        block.DescendantNodes(descend => descend is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
            .Any(n => n is ThrowStatementSyntax or ThrowExpressionSyntax);

    private static bool UsesException(CatchClauseSyntax node) =>
        node.Declaration?.Identifier.ValueText is { Length: > 0 } name
        && node.Block.DescendantNodes().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == name);

    private static (ExpressionSyntax? Receiver, string? Name) Target(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax access => (access.Expression, access.Name.Identifier.ValueText),
        MemberBindingExpressionSyntax binding => (null, binding.Name.Identifier.ValueText),
        SimpleNameSyntax simple => (null, simple.Identifier.ValueText),
        _ => (null, null),
    };

    private void Add(string rule, FindingSeverity severity, SyntaxNode node, string message) => Add(rule, severity, node.GetLocation(), message);

    private void Add(string rule, FindingSeverity severity, SyntaxToken token, string message) => Add(rule, severity, token.GetLocation(), message);

    private void Add(string rule, FindingSeverity severity, Location location, string message)
    {
        var line = location.GetLineSpan().StartLinePosition.Line + 1;
        // One finding per rule and line: a reviewer reads lines, not nodes.
        if (!Findings.Any(f => f.Rule == rule && f.Line == line))
        {
            Findings.Add(new FindingOutcome(rule, severity, path, line, message));
        }
    }
}
