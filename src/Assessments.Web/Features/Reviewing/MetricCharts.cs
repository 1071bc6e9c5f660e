using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Assessments.Runner.Results;
using Microsoft.AspNetCore.Html;

namespace Assessments.Web.Features.Reviewing;

/// <summary>One metric as a chart, drawn on the server as SVG (no chart library, nothing fetched):
/// a row per side, baseline above candidate, each sample a dot, the median a bar and the
/// interquartile range a box, on a shared axis from zero. Counted metrics have one sample a side
/// and read as two bars.</summary>
public static class MetricCharts
{
    private const int Width = 560;
    private const int Left = 92;
    private const int Right = 24;
    private const int RowHeight = 34;
    private const int Top = 10;
    private const int AxisHeight = 26;

    public static IHtmlContent Render(MetricOutcome metric)
    {
        var sides = new List<(string Label, string Css, IReadOnlyList<double> Samples, double? Median)>
        {
            ("baseline", "baseline", metric.BaselineSamples, metric.Baseline),
            ("candidate", "candidate", metric.Samples, metric.Candidate),
        };
        var values = sides.SelectMany(s => s.Samples.Concat(s.Median is { } m ? [m] : [])).Where(double.IsFinite).ToList();
        var max = values.Count == 0 ? 1 : values.Max();
        var min = Math.Min(0, values.Count == 0 ? 0 : values.Min());
        if (max <= min)
        {
            max = min + 1;
        }

        double X(double value) => Left + ((value - min) / (max - min) * (Width - Left - Right));
        var height = Top + (sides.Count * RowHeight) + AxisHeight;
        var svg = new StringBuilder();
        var title = $"{metric.Title}: baseline {Formats.Number(metric.Baseline)} {metric.Unit}, candidate {Formats.Number(metric.Candidate)} {metric.Unit}";
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>");
        for (var i = 0; i < sides.Count; i++)
        {
            var (label, css, samples, median) = sides[i];
            var y = Top + (i * RowHeight);
            var middle = y + (RowHeight / 2.0);
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"0\" y=\"{middle + 4:0.#}\">{label}</text>");
            if (median is null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"missing\" x=\"{Left}\" y=\"{middle + 4:0.#}\">not measured</text>");
                continue;
            }

            var finite = samples.Where(double.IsFinite).Order().ToList();
            if (finite.Count <= 1)
            {
                // One number: a bar from zero.
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar {css}\" x=\"{X(min):0.#}\" y=\"{y + 8}\" width=\"{Math.Max(1, X(median.Value) - X(min)):0.#}\" height=\"{RowHeight - 16}\"/>");
            }
            else
            {
                var q1 = Quantile(finite, 0.25);
                var q3 = Quantile(finite, 0.75);
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"whisker\" x1=\"{X(finite[0]):0.#}\" x2=\"{X(finite[^1]):0.#}\" y1=\"{middle:0.#}\" y2=\"{middle:0.#}\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"box {css}\" x=\"{X(q1):0.#}\" y=\"{y + 7}\" width=\"{Math.Max(1, X(q3) - X(q1)):0.#}\" height=\"{RowHeight - 14}\"/>");
                foreach (var sample in finite)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"sample {css}\" cx=\"{X(sample):0.#}\" cy=\"{middle:0.#}\" r=\"2.5\"/>");
                }
            }

            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"median\" x1=\"{X(median.Value):0.#}\" x2=\"{X(median.Value):0.#}\" y1=\"{y + 4}\" y2=\"{y + RowHeight - 4}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{Math.Min(X(median.Value) + 5, Width - Right - 40):0.#}\" y=\"{y + 12}\">{Encode(Formats.Number(median))}</text>");
        }

        var axisY = Top + (sides.Count * RowHeight) + 4;
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{axisY}\" y2=\"{axisY}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left}\" y=\"{axisY + 16}\">{Encode(Formats.Number(min))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick end\" x=\"{Width - Right}\" y=\"{axisY + 16}\" text-anchor=\"end\">{Encode(Formats.Number(max))} {Encode(metric.Unit)}</text>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
