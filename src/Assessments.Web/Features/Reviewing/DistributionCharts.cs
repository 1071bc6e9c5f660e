using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Assessments.Web.Features.Reviewing;

/// <summary>How a number spreads over the candidates of one scenario, drawn on the server as SVG:
/// each candidate a dot on one axis (dots that would overlap are stacked), the median a line, and
/// the selected candidate a larger, labelled dot.</summary>
public static class DistributionCharts
{
    private const int Width = 560;
    private const int Left = 16;
    private const int Right = 16;
    private const int Top = 22;
    private const double Radius = 5;

    /// <param name="values">(candidate, value) for every candidate that has one.</param>
    /// <param name="selected">The candidate to mark, if any.</param>
    /// <param name="min">The axis's start (0 for scores), or null to start at the smallest value.</param>
    /// <param name="max">The axis's end (100 for scores), or null to end at the largest value.</param>
    public static IHtmlContent Render(string title, string unit, IReadOnlyList<(Guid Id, string Label, double Value)> values, Guid? selected, double? min = null, double? max = null)
    {
        var finite = values.Where(v => double.IsFinite(v.Value)).OrderBy(v => v.Value).ToList();
        if (finite.Count == 0)
        {
            return new HtmlString($"<p class=\"muted\">{Encode(title)}: no candidate has one yet.</p>");
        }

        var low = min ?? finite[0].Value;
        var high = max ?? finite[^1].Value;
        if (high <= low)
        {
            high = low + 1;
        }

        double X(double value) => Left + ((value - low) / (high - low) * (Width - Left - Right));

        // Stack dots that would touch: each takes the lowest row free at its x.
        var rows = new List<double>();
        var placed = new List<(Guid Id, string Label, double Value, double X, int Row)>();
        foreach (var (id, label, value) in finite)
        {
            var x = X(value);
            var row = rows.FindIndex(lastX => x - lastX >= 2 * Radius + 1);
            if (row < 0)
            {
                rows.Add(x);
                row = rows.Count - 1;
            }
            else
            {
                rows[row] = x;
            }

            placed.Add((id, label, value, x, row));
        }

        var axisY = Top + (rows.Count * (2 * Radius + 2)) + 6;
        var height = axisY + 24;
        var median = finite.Count % 2 == 1 ? finite[finite.Count / 2].Value : (finite[(finite.Count / 2) - 1].Value + finite[finite.Count / 2].Value) / 2;
        var chosen = placed.FirstOrDefault(p => p.Id == selected);
        string Shown(double value) => unit.Length == 0 ? Formats.Number(value) : $"{Formats.Number(value)} {unit}";
        var summary = $"{title}: {finite.Count} candidates, median {Shown(median)}" + (chosen.Label is null ? "" : $"; {chosen.Label} {Shown(chosen.Value)}");
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart distribution\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Encode(summary)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(summary)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"median\" x1=\"{X(median):0.#}\" x2=\"{X(median):0.#}\" y1=\"{Top - 6}\" y2=\"{axisY}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{Math.Min(X(median) + 4, Width - Right - 70):0.#}\" y=\"{Top - 10}\">median {Encode(Formats.Number(median))}</text>");
        foreach (var dot in placed.Where(p => p.Id != selected))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"sample\" cx=\"{dot.X:0.#}\" cy=\"{Y(dot.Row):0.#}\" r=\"{Radius - 1}\"><title>{Encode(dot.Label)}: {Encode(Formats.Number(dot.Value))}</title></circle>");
        }

        if (chosen.Label is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"selected\" cx=\"{chosen.X:0.#}\" cy=\"{Y(chosen.Row):0.#}\" r=\"{Radius + 2}\"><title>{Encode(chosen.Label)}: {Encode(Formats.Number(chosen.Value))}</title></circle>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{axisY}\" y2=\"{axisY}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left}\" y=\"{axisY + 16}\">{Encode(Formats.Number(low))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick end\" x=\"{Width - Right}\" y=\"{axisY + 16}\" text-anchor=\"end\">{Encode(Shown(high))}</text>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());

        static double Y(int row) => Top + Radius + (row * ((2 * Radius) + 2));
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
