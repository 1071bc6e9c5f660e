using System.Globalization;
using System.Text.RegularExpressions;

namespace Assessments.Runner.Execution;

/// <summary>Fills the service contract's environment: <c>{port}</c>, <c>{database}</c>, <c>{fake.NAME}</c>.</summary>
public static partial class Placeholders
{
    /// <summary>The environment with every placeholder replaced.</summary>
    public static IReadOnlyDictionary<string, string> Fill(IReadOnlyDictionary<string, string> environment, int port, string database, string? fakesUrl)
    {
        var filled = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            filled[name] = Token().Replace(value, match => match.Groups[1].Value switch
            {
                "port" => port.ToString(CultureInfo.InvariantCulture),
                "database" => database,
                var fake when fake.StartsWith("fake.", StringComparison.Ordinal) && fakesUrl is not null => $"{fakesUrl}/{fake["fake.".Length..]}",
                var other => throw new InvalidOperationException($"Unknown placeholder {{{other}}} in service.environment.{name}; the package should not have validated."),
            });
        }

        return filled;
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Token();
}
