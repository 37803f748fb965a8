using System.Globalization;
using System.Security;
using System.Text;

namespace Switchboard.Gateway.Dashboard;

/// <summary>
/// Server-rendered charts for the overview: plain SVG, no script and no charting library, so the dashboard works
/// offline and the same picture can be saved or embedded.
/// </summary>
public static class SvgChart
{
    private const int Width = 560;
    private const int Height = 180;
    private const int Left = 56;
    private const int Right = 12;
    private const int Top = 24;
    private const int Bottom = 24;

    private static readonly string[] Colours = ["#2f6fdf", "#d9534f"];

    /// <summary>Renders <paramref name="metric"/> (requests, errors, latency, tokens, cost, cache); false for an unknown name.</summary>
    public static bool TryRender(string metric, IReadOnlyList<SeriesPoint> series, out string svg)
    {
        ArgumentNullException.ThrowIfNull(series);
        (string Title, string Unit, (string Name, Func<SeriesPoint, double?> Value)[] Lines)? chart = metric switch
        {
            "requests" => ("Requests", "", [("requests", p => p.Requests)]),
            "errors" => ("Errors", "", [("errors", p => p.Errors)]),
            "latency" => ("Latency", "ms", [("p50", p => p.P50Ms), ("p99", p => p.P99Ms)]),
            "tokens" => ("Tokens", "", [("input", p => p.InputTokens), ("output", p => p.OutputTokens)]),
            "cost" => ("Cost", "USD", [("cost", p => (double)p.CostUsd)]),
            "cache" => ("Cache savings", "USD", [("saved", p => (double)p.CostSavedUsd)]),
            _ => null,
        };
        if (chart is not { } c)
        {
            svg = string.Empty;
            return false;
        }

        svg = Render(metric, c.Title, c.Unit, c.Lines, series);
        return true;
    }

    private static string Render(string metric, string title, string unit, (string Name, Func<SeriesPoint, double?> Value)[] lines, IReadOnlyList<SeriesPoint> series)
    {
        var max = 0.0;
        foreach (var (_, value) in lines)
        {
            foreach (var point in series)
            {
                max = Math.Max(max, value(point) ?? 0);
            }
        }

        max = max <= 0 ? 1 : max * 1.1;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (series.Count <= 1 ? plotWidth / 2.0 : i * plotWidth / (double)(series.Count - 1));
        double Y(double v) => Top + plotHeight - (v / max * plotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-metric=\"{metric}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Escape(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" class=\"chart-title\" font-size=\"13\" font-weight=\"600\">{Escape(title)}{(unit.Length > 0 ? " (" + unit + ")" : string.Empty)}</text>");
        for (var g = 0; g <= 4; g++)
        {
            var v = max * g / 4;
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e3e3e3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"10\" fill=\"#666\">{Format(v)}</text>");
        }

        if (series.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 6}\" font-size=\"10\" fill=\"#666\">{series[0].Time:HH:mm}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Height - 6}\" text-anchor=\"end\" font-size=\"10\" fill=\"#666\">{series[^1].Time:HH:mm} UTC</text>");
        }

        for (var l = 0; l < lines.Length; l++)
        {
            var (name, value) = lines[l];
            var colour = Colours[l % Colours.Length];
            var points = new StringBuilder();
            var dots = new StringBuilder();
            for (var i = 0; i < series.Count; i++)
            {
                if (value(series[i]) is { } v)
                {
                    points.Append(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(v):0.#} ");
                    if (v > 0)
                    {
                        // A lone point draws no line: mark every non-zero value.
                        dots.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v):0.#}\" r=\"2.5\" fill=\"{colour}\"/>");
                    }
                }
            }

            svg.Append(dots);

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-series=\"{name}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - (lines.Length - l) * 60}\" y=\"16\" font-size=\"11\" fill=\"{colour}\">■ {name}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Format(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 1 => value.ToString("0.#", CultureInfo.InvariantCulture),
        0 => "0",
        _ => value.ToString("0.####", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => SecurityElement.Escape(text);
}
