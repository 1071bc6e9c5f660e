using System.Text.Json;

namespace Assessments.Runner.Execution;

/// <summary>Reads the metrics file hidden tests append to: one JSON object per line,
/// <c>{"key": "statements_per_request", "value": 3}</c>. Lines that are not such objects are
/// ignored (and counted), since a crashing test may leave half a line.</summary>
public static class MetricSamples
{
    /// <summary>Samples by metric key, in the order they were written.</summary>
    public static IReadOnlyDictionary<string, List<double>> Parse(string? text)
    {
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
                    && json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number)
                {
                    var list = samples.TryGetValue(key.GetString()!, out var existing) ? existing : samples[key.GetString()!] = [];
                    list.Add(value.GetDouble());
                }
            }
            catch (JsonException)
            {
                // A torn line; the rest still count.
            }
        }

        return samples;
    }
}
