using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Assessments.Web.Features.Operations;

/// <summary>The day on <c>/ops</c> as SVG drawn on the server (no script, nothing fetched): lines
/// over time for figures sampled (the queue, push-to-result), and stacked bars per hour for counts
/// (webhook deliveries by outcome, sandbox errors by cause). Each series gets a palette class the
/// stylesheet colours, and a legend names it.</summary>
public static class OperationsCharts
{
    // Narrow, so the labels stay readable when a phone scales the chart down to its width.
    private const int Width = 480;
    private const int Height = 190;
    private const int Left = 40;
    private const int Right = 10;
    private const int Top = 26;
    private const int Bottom = 22;
    private const int Palette = 6;

    /// <summary>One line per series over <paramref name="times"/>; a null value breaks the line
    /// (nothing was sampled then).</summary>
    public static IHtmlContent Lines(string title, string unit, IReadOnlyList<DateTimeOffset> times, IReadOnlyList<(string Name, IReadOnlyList<double?> Values)> series)
    {
        var max = Nice(series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max());
        var svg = Open(title, unit, times, max);
        for (var s = 0; s < series.Count; s++)
        {
            var values = series[s].Values;
            var path = new StringBuilder();
            var drawing = false;
            for (var i = 0; i < values.Count; i++)
            {
                if (values[i] is not { } value)
                {
                    drawing = false;
                    continue;
                }

                path.Append(CultureInfo.InvariantCulture, $"{(drawing ? 'L' : 'M')}{X(i, values.Count):0.#} {Y(value, max):0.#} ");
                drawing = true;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"line series-{s % Palette}\" d=\"{path.ToString().Trim()}\"/>");
            var sampled = values.Select((v, i) => (Value: v, Index: i)).Where(p => p.Value is not null).ToList();
            if (sampled is [var only])
            {
                // One sample draws no line; a dot shows it.
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"dot series-{s % Palette}\" cx=\"{X(only.Index, values.Count):0.#}\" cy=\"{Y(only.Value!.Value, max):0.#}\" r=\"3\"/>");
            }
        }

        return Close(svg, series.Select(s => s.Name));
    }

    /// <summary>A bar per hour, its series stacked.</summary>
    public static IHtmlContent StackedBars(string title, string unit, IReadOnlyList<DateTimeOffset> hours, IReadOnlyDictionary<string, IReadOnlyList<long>> series)
    {
        var names = series.Keys.ToList();
        var totals = hours.Select((_, i) => names.Sum(n => series[n][i])).ToList();
        var max = Nice(totals.DefaultIfEmpty(0).Max());
        var svg = Open(title, unit, hours, max);
        var slot = (Width - Left - Right) / (double)hours.Count;
        for (var i = 0; i < hours.Count; i++)
        {
            double stacked = 0;
            for (var s = 0; s < names.Count; s++)
            {
                var value = series[names[s]][i];
                if (value == 0)
                {
                    continue;
                }

                var top = Y(stacked + value, max);
                var bottom = Y(stacked, max);
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar series-{s % Palette}\" x=\"{Left + (i * slot) + 1:0.#}\" y=\"{top:0.#}\" width=\"{Math.Max(1, slot - 2):0.#}\" height=\"{bottom - top:0.#}\"><title>{Encode($"{hours[i].ToUniversalTime():HH}:00 {names[s]}: {value}")}</title></rect>");
                stacked += value;
            }
        }

        return Close(svg, names);
    }

    private static StringBuilder Open(string title, string unit, IReadOnlyList<DateTimeOffset> times, double max)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart ops\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{Encode(title)}</title>");
        // Three horizontal rules with their values, and the time every six hours (UTC).
        foreach (var fraction in new[] { 0, 0.5, 1 })
        {
            var y = Y(max * fraction, max);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis{(fraction == 0 ? "" : " grid")}\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{(max * fraction).ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"0\" y=\"{Top - 12}\">{Encode(unit)}</text>");
        var every = Math.Max(1, times.Count / 4);
        for (var i = 0; i < times.Count; i += every)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{X(i, times.Count):0.#}\" y=\"{Height - 6}\" text-anchor=\"middle\">{times[i].ToUniversalTime():HH:mm}</text>");
        }

        return svg;
    }

    private static HtmlString Close(StringBuilder svg, IEnumerable<string> names)
    {
        svg.Append("</svg>");
        var legend = string.Join("", names.Select((n, i) => $"<li><span class=\"swatch series-{i % Palette}\"></span>{Encode(n)}</li>"));
        return new HtmlString($"{svg}<ul class=\"legend\">{legend}</ul>");
    }

    private static double X(int index, int count) => Left + ((index + 0.5) * (Width - Left - Right) / count);

    private static double Y(double value, double max) => Top + ((1 - (value / max)) * (Height - Top - Bottom));

    /// <summary>The axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten, so
    /// the rules read as round numbers; 1 when everything is zero.</summary>
    internal static double Nice(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * power).First(v => v >= max);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
