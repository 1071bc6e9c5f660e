using System.Text.Json;

namespace Assessments.Runner.Execution;

/// <summary>Judges a restore by its <c>obj/project.assets.json</c>: every package it resolved must
/// be in the allowed set, and a package it could not find (NU1101–NU1103: not in the offline
/// source) is one outside the set.</summary>
public static class AssetsFile
{
    private static readonly HashSet<string> MissingPackageCodes = ["NU1101", "NU1102", "NU1103"];

    /// <summary>Null when every package is allowed; otherwise a sentence naming the packages outside the set.</summary>
    /// <param name="assetsJson">The assets file's text.</param>
    /// <param name="allowed">Allowed packages as lower-case <c>id/version</c>.</param>
    public static string? Judge(string assetsJson, IReadOnlySet<string> allowed)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(assetsJson);
        }
        catch (JsonException e)
        {
            return $"The restore's assets file could not be read ({e.Message}); packages are judged from it.";
        }

        using (document)
        {
            var outside = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
            var root = document.RootElement;
            if (root.TryGetProperty("libraries", out var libraries) && libraries.ValueKind == JsonValueKind.Object)
            {
                foreach (var library in libraries.EnumerateObject())
                {
                    var type = library.Value.TryGetProperty("type", out var t) ? t.GetString() : null;
                    if (type == "package" && !allowed.Contains(library.Name.ToLowerInvariant()))
                    {
                        outside.Add(library.Name.Replace('/', ' '));
                    }
                }
            }

            if (root.TryGetProperty("logs", out var logs) && logs.ValueKind == JsonValueKind.Array)
            {
                foreach (var log in logs.EnumerateArray())
                {
                    if (log.TryGetProperty("code", out var code) && MissingPackageCodes.Contains(code.GetString() ?? "")
                        && log.TryGetProperty("libraryId", out var id) && id.GetString() is { Length: > 0 } name)
                    {
                        outside.Add(name);
                    }
                }
            }

            return outside.Count == 0
                ? null
                : $"Not in the scenario's allowed packages: {string.Join(", ", outside)}. Use only the packages the brief lists.";
        }
    }
}
