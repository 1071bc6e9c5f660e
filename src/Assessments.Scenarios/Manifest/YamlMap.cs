using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Assessments.Scenarios.Manifest;

/// <summary>Reads one YAML mapping with precise errors: every value is read by key, type errors and
/// missing keys are reported with the field's path and position, and whatever was not read is
/// reported as an unknown key. Reading never throws; callers get null and an error.</summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _file;
    private readonly string _path;
    private readonly List<ScenarioError> _errors;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlMap(YamlMappingNode node, string file, string path, List<ScenarioError> errors)
    {
        _node = node;
        _file = file;
        _path = path;
        _errors = errors;
    }

    public SourceLocation At => Location(_node);

    public string Field(string key) => string.IsNullOrEmpty(_path) ? key : $"{_path}.{key}";

    public void Error(YamlNode? node, string field, string message) =>
        _errors.Add(new ScenarioError(node is null ? At : Location(node), field, message));

    public string? String(string key, bool required = true)
    {
        var node = Get(key, required);
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } value } when !string.IsNullOrWhiteSpace(value):
                return value;
            default:
                Error(node, Field(key), "must be a non-empty text value");
                return null;
        }
    }

    public string? Matching(string key, System.Text.RegularExpressions.Regex pattern, string describe, bool required = true)
    {
        var value = String(key, required);
        if (value is not null && !pattern.IsMatch(value))
        {
            Error(_node.Children[key], Field(key), $"'{value}' is not {describe}");
            return null;
        }

        return value;
    }

    public int? Int(string key, int min, int max, bool required = true) =>
        Scalar(key, required, $"must be a whole number from {min} to {max}", (string text, out int value) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);

    /// <summary>A decimal number from <paramref name="min"/> to <paramref name="max"/> (<c>0.25</c>).</summary>
    public double? Number(string key, double min, double max, bool required = true) =>
        Scalar(key, required, $"must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}", (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);

    public bool? Bool(string key, bool required = true) =>
        Scalar(key, required, "must be true or false", (string text, out bool value) =>
            (value = text == "true") || text == "false");

    /// <summary>A duration as <c>hh:mm:ss</c> (<c>00:05:00</c>), greater than zero.</summary>
    public TimeSpan? Duration(string key, bool required = true) =>
        Scalar(key, required, "must be a duration as hh:mm:ss greater than zero, e.g. 00:05:00", (string text, out TimeSpan value) =>
            TimeSpan.TryParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero);

    /// <summary>A size as a number of bytes with an optional k, m or g suffix (<c>2g</c>, <c>512m</c>).</summary>
    public long? Size(string key, bool required = true) =>
        Scalar(key, required, "must be a size such as 512m or 2g", (string text, out long value) =>
        {
            var multiplier = text.Length == 0 ? 1L : char.ToLowerInvariant(text[^1]) switch
            {
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                _ => 1L,
            };
            var digits = multiplier == 1 ? text : text[..^1];
            var parsed = long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0;
            value = number * multiplier;
            return parsed;
        });

    public TEnum? Enum<TEnum>(string key, bool required = true)
        where TEnum : struct, Enum
    {
        var names = System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToList();
        return Scalar(key, required, $"must be one of {string.Join(", ", names)}", (string text, out TEnum value) =>
        {
            value = default;
            return names.Contains(text) && System.Enum.TryParse(text, ignoreCase: true, out value);
        });
    }

    private delegate bool ScalarParser<T>(string text, out T value);

    /// <summary>The value under <paramref name="key"/> read by <paramref name="parse"/>; an error at
    /// the value's line saying what it <paramref name="mustBe"/> when it is not a scalar or does not parse.</summary>
    private T? Scalar<T>(string key, bool required, string mustBe, ScalarParser<T> parse)
        where T : struct
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && parse(text, out var value))
        {
            return value;
        }

        Error(node, Field(key), mustBe);
        return null;
    }

    public IReadOnlyList<string>? Strings(string key, bool required = true)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, Field(key), "must be a list of text values");
            return null;
        }

        var values = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value))
            {
                values.Add(value);
            }
            else
            {
                Error(sequence.Children[i], $"{Field(key)}[{i}]", "must be a non-empty text value");
            }
        }

        return values;
    }

    /// <summary>A mapping of text to text (<c>service.environment</c>).</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string key, bool required = true)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(node, Field(key), "must be a mapping of names to text values");
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in mapping.Children)
        {
            var nameText = (name as YamlScalarNode)?.Value;
            if (string.IsNullOrWhiteSpace(nameText))
            {
                Error(name, Field(key), "names must be text");
            }
            else if (value is YamlScalarNode { Value: { } text })
            {
                values[nameText] = text;
            }
            else
            {
                Error(value, $"{Field(key)}.{nameText}", "must be a text value");
            }
        }

        return values;
    }

    public YamlMap? Map(string key, bool required = true)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return new YamlMap(mapping, _file, Field(key), _errors);
        }

        Error(node, Field(key), "must be a mapping (key: value lines)");
        return null;
    }

    /// <summary>A list of mappings, each read by <paramref name="item"/>; items it returns null for are left out.</summary>
    public IReadOnlyList<T>? Items<T>(string key, Func<YamlMap, T?> item, bool required = true)
        where T : class
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, Field(key), "must be a list (lines starting with '- ')");
            return null;
        }

        var values = new List<T>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode mapping)
            {
                Error(sequence.Children[i], $"{Field(key)}[{i}]", "must be a mapping (key: value lines)");
                continue;
            }

            var map = new YamlMap(mapping, _file, $"{Field(key)}[{i}]", _errors);
            var value = item(map);
            map.RejectUnknownKeys();
            if (value is not null)
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>Reports every key that was not read: a typo must not silently drop a setting.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (key, _) in _node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
            {
                Error(key, Field(name), $"unknown key (known here: {string.Join(", ", _read.Order(StringComparer.Ordinal))})");
            }
        }
    }

    private YamlNode? Get(string key, bool required)
    {
        _read.Add(key);
        if (_node.Children.TryGetValue(new YamlScalarNode(key), out var node) && !IsNull(node))
        {
            return node;
        }

        if (required)
        {
            Error(null, Field(key), "is required");
        }

        return null;
    }

    /// <summary>YAML's null: an empty plain value, <c>~</c> or <c>null</c>.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" };

    private SourceLocation Location(YamlNode node) => new(_file, (int)node.Start.Line, (int)node.Start.Column);
}
