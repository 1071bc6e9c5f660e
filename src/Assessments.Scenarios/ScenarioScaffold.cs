using System.Text;
using System.Text.RegularExpressions;

namespace Assessments.Scenarios;

/// <summary>Writes a new scenario package from the scaffold embedded in this library: a small
/// service with a real problem (ten statements per request, a counter lost on restart), hidden
/// tests that show it, a reference fix and a shallow variant. It validates and verifies as it is,
/// so an author starts from a working package and changes it step by step.</summary>
public static partial class ScenarioScaffold
{
    private const string ResourcePrefix = "scaffold/";
    private const string ScaffoldId = "greeting";

    /// <summary>Writes the package for <paramref name="id"/> into <paramref name="directory"/>, which must not exist.</summary>
    public static async Task WriteAsync(string id, string directory, CancellationToken cancellationToken)
    {
        if (!Id().IsMatch(id))
        {
            throw new ArgumentException($"'{id}' is not a scenario id: lower-case letters, digits and dashes (n-plus-one).", nameof(id));
        }

        if (Directory.Exists(directory) || File.Exists(directory))
        {
            throw new IOException($"{directory} exists already; choose a new folder.");
        }

        var assembly = typeof(ScenarioScaffold).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var relative = name[ResourcePrefix.Length..].Replace('\\', '/');
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var resource = assembly.GetManifestResourceStream(name)!;
            if (relative == ScenarioPackage.ManifestFileName)
            {
                using var reader = new StreamReader(resource, Encoding.UTF8);
                var manifest = await reader.ReadToEndAsync(cancellationToken);
                await File.WriteAllTextAsync(path, manifest.Replace($"id: {ScaffoldId}\n", $"id: {id}\n", StringComparison.Ordinal), cancellationToken);
            }
            else
            {
                await using var file = File.Create(path);
                await resource.CopyToAsync(file, cancellationToken);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Id();
}
