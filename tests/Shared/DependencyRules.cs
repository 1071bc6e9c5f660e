using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Assessments.Tests.Shared;

/// <summary>DESIGN.md: the engine and the scenario library know nothing of the web app or the
/// database; the caller stores what they produce. Inside the web app (decision 015): feature
/// folders depend on each other in one direction only, the composition root (Hosting) is used by
/// nobody, and the data model depends on neither the engine nor the command line.</summary>
public static class DependencyRules
{
    public static readonly TheoryData<string> ForbiddenForLibraries =
    [
        "Microsoft.EntityFrameworkCore",
        "Npgsql",
        "Microsoft.AspNetCore",
        "Hangfire",
        "Assessments.Web",
    ];

    public static void AssertDoesNotReference(string library, string forbiddenPrefix)
    {
        // Loaded by name: the project reference copies it beside the tests.
        var offending = Assembly.Load(library).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith(forbiddenPrefix, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offending);
    }

    /// <summary>Which folder of the web app uses which, read from its IL (signatures, attributes and
    /// method bodies, so a type named only inside a method counts): folder → the folders it uses,
    /// each with one example "type → used type" to say where. Folders are
    /// <c>Features/NAME</c>, <c>Data</c>, <c>Common</c>, <c>Hosting</c>, <c>CommandLine</c>, and <c>Runner</c> /
    /// <c>Scenarios</c> for the libraries.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> FolderDependencies(string assemblyPath)
    {
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.GetTypes())
        {
            if (Folder(OutermostNamespace(type)) is not { } from)
            {
                continue;
            }

            var uses = edges.TryGetValue(from, out var found) ? found : edges[from] = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var used in UsedTypes(type))
            {
                if (Folder(OutermostNamespace(used)) is { } to && to != from)
                {
                    uses.TryAdd(to, $"{type.FullName} → {used.FullName}");
                }
            }
        }

        return edges.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, string>)e.Value, StringComparer.Ordinal);
    }

    /// <summary>Every loop among the folders of <paramref name="dependencies"/>: each group of folders
    /// that reach each other (a strongly connected component of more than one), in name order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Loops(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> dependencies)
    {
        // Tarjan's algorithm; the graphs here have a few dozen nodes.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var loops = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in dependencies.TryGetValue(node, out var uses) ? uses.Keys.Order(StringComparer.Ordinal).ToList() : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    loops.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in dependencies.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return [.. loops.OrderBy(l => l[0], StringComparer.Ordinal)];
    }

    /// <summary>Fails, naming each loop and the uses that close it, when folders depend on each
    /// other in a loop.</summary>
    public static void AssertNoLoops(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> dependencies)
    {
        var loops = Loops(dependencies);
        if (loops.Count == 0)
        {
            return;
        }

        var text = string.Join("\n", loops.Select(loop =>
            $"loop: {string.Join(", ", loop)}\n" + string.Join("\n", loop
                .SelectMany(from => dependencies[from].Where(to => loop.Contains(to.Key)).Select(to => $"  {from} → {to.Key}: {to.Value}")))));
        Assert.Fail($"Folders depend on each other in a loop; one direction only (decision 015):\n{text}");
    }

    /// <summary>Fails when <paramref name="from"/> uses any of <paramref name="forbidden"/>, naming where.</summary>
    public static void AssertDoesNotUse(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> dependencies, string from, params string[] forbidden)
    {
        var uses = dependencies.TryGetValue(from, out var found) ? found : new Dictionary<string, string>();
        var offending = forbidden.Where(uses.ContainsKey).Select(f => $"{from} → {f}: {uses[f]}").ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    private static string? Folder(string? ns) => ns?.Split('.') switch
    {
        ["Assessments", "Web", "Features", var feature, ..] => $"Features/{feature}",
        ["Assessments", "Web", var folder, ..] when folder is "Data" or "Hosting" or "CommandLine" or "Common" => folder,
        ["Assessments", "Runner", ..] => "Runner",
        ["Assessments", "Scenarios", ..] => "Scenarios",
        _ => null,
    };

    private static string? OutermostNamespace(TypeReference type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var used = new List<TypeReference>();
        void Add(TypeReference? reference)
        {
            switch (reference)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    generic.GenericArguments.ToList().ForEach(Add);
                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                default:
                    used.Add(reference);
                    return;
            }
        }

        void AddMember(MemberReference member)
        {
            Add(member.DeclaringType);
            switch (member)
            {
                case GenericInstanceMethod generic:
                    generic.GenericArguments.ToList().ForEach(Add);
                    AddMember(generic.ElementMethod);
                    break;
                case MethodReference method:
                    Add(method.ReturnType);
                    method.Parameters.ToList().ForEach(p => Add(p.ParameterType));
                    break;
                case FieldReference field:
                    Add(field.FieldType);
                    break;
            }
        }

        void AddAttributes(Mono.Cecil.ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                attribute.ConstructorArguments.Select(a => a.Value).OfType<TypeReference>().ToList().ForEach(Add);
            }
        }

        Add(type.BaseType);
        type.Interfaces.ToList().ForEach(i => Add(i.InterfaceType));
        AddAttributes(type);
        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddAttributes(method);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
                AddAttributes(parameter);
            }

            if (!method.HasBody)
            {
                continue;
            }

            method.Body.Variables.ToList().ForEach(v => Add(v.VariableType));
            method.Body.ExceptionHandlers.ToList().ForEach(h => Add(h.CatchType));
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference reference:
                        Add(reference);
                        break;
                    case MemberReference member:
                        AddMember(member);
                        break;
                }
            }
        }

        return used;
    }
}
