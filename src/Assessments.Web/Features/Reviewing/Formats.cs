using System.Globalization;

namespace Assessments.Web.Features.Reviewing;

/// <summary>How the reviewer's pages write numbers, words and times, the same on every page.</summary>
public static class Formats
{
    /// <summary>Three significant figures, no exponent for everyday sizes.</summary>
    public static string Number(double? value) => value switch
    {
        null => "—",
        { } v when double.IsNaN(v) => "—",
        { } v when Math.Abs(v) >= 1000 || v == Math.Round(v) => v.ToString("#,0.##", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>UTC to the second with a Z, for <c>&lt;time datetime&gt;</c>; site.js shows it in the reader's zone.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The same instant as plain text for readers without script.</summary>
    public static string Plain(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A span in words: "3 h 05 min", "45 s", "-2 h 10 min".</summary>
    public static string Span(TimeSpan span)
    {
        var sign = span < TimeSpan.Zero ? "-" : "";
        span = span.Duration();
        return sign + (span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s"
            : $"{span.TotalSeconds:0.#} s");
    }

    /// <summary>A length of time as a person plans it: "45 min", "2 h", "1 h 30 min".</summary>
    public static string Planned(TimeSpan t) =>
        t.TotalHours >= 1 ? (t.Minutes == 0 ? $"{(int)t.TotalHours} h" : $"{(int)t.TotalHours} h {t.Minutes} min") : $"{(int)t.TotalMinutes} min";

    /// <summary>A PascalCase word as a reader writes it: <c>TestsFailed</c> → "tests failed".</summary>
    public static string Words(Enum? value) => value is null ? "—" : Words(value.ToString());

    public static string Words(string value) =>
        string.Concat(value.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The CSS class of a verdict's badge.</summary>
    public static string VerdictClass(GradingVerdict? verdict) => verdict switch
    {
        GradingVerdict.Passed => "badge good",
        GradingVerdict.SandboxError => "badge neutral",
        null => "badge neutral",
        _ => "badge bad",
    };

    /// <summary>The comparison word exactly as the report says it ("no measurable difference"):
    /// the stored and the contract's words are the same names.</summary>
    public static string Comparison(Enum? comparison) => Words(comparison);
}
