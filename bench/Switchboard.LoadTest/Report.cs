using System.Globalization;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>Turns the JSON lines of one or more runs into Markdown tables (raw figures, added latency, throughput ratios, memory).</summary>
internal static class Report
{
    public static int Write(string input, string? output)
    {
        var all = Measurement.ReadAll(input);
        var md = new StringBuilder();
        foreach (var group in all.GroupBy(m => m.Label))
        {
            var rows = group.ToList();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {group.Key}").AppendLine();
            md.AppendLine("| target | scenario | conc. | req/s | p50 ms | p90 ms | p99 ms | TTFT p50 ms | TTFT p99 ms | target CPU µs/req | target CPU % | upstream CPU µs/req | client CPU µs/req | machine CPU % | other load % | target RSS MiB start→end (max) | errors |");
            md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
            foreach (var m in rows)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {m.Target} | {m.Kind} | {m.Concurrency} | {m.Rps:0} | {m.P50Ms:0.000} | {m.P90Ms:0.000} | {m.P99Ms:0.000} | {Opt(m.TtftP50Ms, "0.000")} | {Opt(m.TtftP99Ms, "0.000")} | {Opt(m.TargetCpuUsPerRequest, "0")} | {Opt(m.TargetCpuPercent, "0")} | {Opt(m.UpstreamCpuUsPerRequest, "0")} | {m.ClientCpuUsPerRequest:0} | {m.MachineCpuPercent:0} | {m.OtherCpuPercent:0} | {Rss(m)} | {m.Errors} |");
            }

            md.AppendLine();
            AddedLatency(md, rows);
            Ratios(md, rows);
            Memory(md, rows);
        }

        var text = md.ToString();
        if (output is null)
        {
            Console.Write(text);
        }
        else
        {
            File.WriteAllText(output, text);
        }

        return 0;
    }

    private static void AddedLatency(StringBuilder md, List<Measurement> rows)
    {
        var direct = rows.Where(m => m.Target == "direct").ToDictionary(m => (m.Kind, m.Concurrency));
        var added = rows.Where(m => m.Target != "direct" && m.Concurrency == 1 && direct.ContainsKey((m.Kind, m.Concurrency))).ToList();
        if (added.Count == 0)
        {
            return;
        }

        md.AppendLine("Added latency at concurrency 1 (gateway minus direct):").AppendLine();
        md.AppendLine("| target | scenario | added p50 ms | added p99 ms | added TTFT p50 ms | added TTFT p99 ms |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var m in added)
        {
            var d = direct[(m.Kind, m.Concurrency)];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Target} | {m.Kind} | {m.P50Ms - d.P50Ms:0.000} | {m.P99Ms - d.P99Ms:0.000} | {Opt(m.TtftP50Ms - d.TtftP50Ms, "0.000")} | {Opt(m.TtftP99Ms - d.TtftP99Ms, "0.000")} |");
        }

        md.AppendLine();
    }

    private static void Ratios(StringBuilder md, List<Measurement> rows)
    {
        var others = rows.Where(m => m.Target != "direct").Select(m => m.Target).Distinct().ToList();
        if (others.Count < 2 || rows.Any(m => m.Kind == "mixed"))
        {
            return;
        }

        var first = others[0];
        md.AppendLine(CultureInfo.InvariantCulture, $"Throughput of {first} relative to the others (same scenario):").AppendLine();
        md.AppendLine("| scenario | conc. | " + string.Join(" | ", others.Skip(1).Select(o => $"{first} / {o}")) + " |");
        md.AppendLine("| --- | ---: | " + string.Join(" | ", others.Skip(1).Select(_ => "---:")) + " |");
        foreach (var key in rows.Select(m => (m.Kind, m.Concurrency)).Distinct())
        {
            var mine = rows.FirstOrDefault(m => m.Target == first && (m.Kind, m.Concurrency) == key);
            if (mine is null)
            {
                continue;
            }

            var cells = others.Skip(1).Select(o => rows.FirstOrDefault(m => m.Target == o && (m.Kind, m.Concurrency) == key) is { Rps: > 0 } theirs
                ? (mine.Rps / theirs.Rps).ToString("0.0", CultureInfo.InvariantCulture) + "×"
                : "–");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {key.Kind} | {key.Concurrency} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
    }

    private static void Memory(StringBuilder md, List<Measurement> rows)
    {
        foreach (var m in rows.Where(m => m.RssSeriesMiB is { Count: > 4 }))
        {
            var series = m.RssSeriesMiB!;
            var half = series.Skip(series.Count / 2).ToList();
            var slope = Slope(half) * 60; // samples are a second apart
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Sustained {m.Seconds:0} s, {m.Target}, {m.Kind} c={m.Concurrency}: {m.Requests} requests, RSS (MiB) at 10/25/50/75/100 %: {At(series, 0.10):0.0} / {At(series, 0.25):0.0} / {At(series, 0.5):0.0} / {At(series, 0.75):0.0} / {series[^1]:0.0}, max {series.Max():0.0}; slope over the second half {slope:+0.00;-0.00} MiB/min.");
            md.AppendLine();
        }
    }

    private static double At(IReadOnlyList<double> series, double fraction) => series[Math.Clamp((int)(fraction * series.Count), 0, series.Count - 1)];

    private static double Slope(List<double> ys)
    {
        var n = ys.Count;
        var meanX = (n - 1) / 2.0;
        var meanY = ys.Average();
        double num = 0, den = 0;
        for (var i = 0; i < n; i++)
        {
            num += (i - meanX) * (ys[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }

        return den == 0 ? 0 : num / den;
    }

    private static string Opt(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Rss(Measurement m) => m.RssStartMiB is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"{s:0}→{m.RssEndMiB:0} ({m.RssMaxMiB:0})")
        : "–";
}
