using System.Text.Json;

namespace Assessments.Runner.Benchmarks;

/// <summary>The template's deterministic counts for one scenario version and image, kept so that
/// later gradings of the version need not run the hidden tests against the baseline again. Only
/// counts go here: a timing from another run would compare the candidate with another machine's
/// moment.</summary>
public static class BaselineCounts
{
    /// <summary>The kept counts by metric key; empty when there are none (or the file is unreadable,
    /// which only costs a measurement).</summary>
    public static IReadOnlyDictionary<string, List<double>> Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return new Dictionary<string, List<double>>();
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, List<double>>>(File.ReadAllText(path)) ?? [];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return new Dictionary<string, List<double>>();
        }
    }

    /// <summary>Writes beside the final name and moves into place, so a reader never sees half a file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, List<double>> counts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var staging = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(staging, JsonSerializer.Serialize(counts));
        File.Move(staging, path, overwrite: true);
    }
}
