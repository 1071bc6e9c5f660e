using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Orders.Hidden;

/// <summary>
/// Every hidden test is in this one collection, so they run one at a time: the statement counts are per
/// database role, and the data-change test writes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GraderCollection
{
    public const string Name = "grader";
}

/// <summary>What the grading host hands the hidden tests, from the environment.</summary>
public static class Grader
{
    private static readonly Lazy<NpgsqlDataSource> LazyDatabase = new(() =>
        NpgsqlDataSource.Create(Required("ASSESS_GRADER_DATABASE")));

    private static readonly Lazy<HttpClient> LazyService = new(() => new HttpClient
    {
        BaseAddress = new Uri(Required("ASSESS_SERVICE_URL").TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(60),
    });

    public static HttpClient Service => LazyService.Value;
    public static NpgsqlDataSource Database => LazyDatabase.Value;
    public static string ServiceRole => Required("ASSESS_SERVICE_ROLE");

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"grader environment: {name} is not set");

    private static readonly object MetricsLock = new();

    /// <summary>Appends one metric sample to ASSESS_METRICS_FILE (one JSON object per line), when set.</summary>
    public static void Metric(string key, double value)
    {
        var path = Environment.GetEnvironmentVariable("ASSESS_METRICS_FILE");
        if (string.IsNullOrEmpty(path))
            return;
        var line = JsonSerializer.Serialize(new { key, value });
        lock (MetricsLock)
            File.AppendAllText(path, line + "\n");
    }

    public static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
