using System.Globalization;
using System.Text.Json;

namespace Switchboard.LoadTest;

/// <summary>
/// Paired differences of CPU per request between variants measured round after round in one run: each round measures
/// every variant once per scenario, so a variant's difference to the base within a round cancels the machine's drift,
/// and the median over rounds is robust to the one round a neighbour's burst or a GC landed in.
/// </summary>
internal static class Pairs
{
    public static int Write(string input, string? baseName)
    {
        var all = File.ReadLines(input).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Measurement>(l)!).ToList();
        var variants = all.Select(m => m.Target).Distinct().ToList();
        var origin = baseName ?? variants.FirstOrDefault() ?? throw new ArgumentException("no measurements in " + input);
        if (!variants.Contains(origin))
        {
            throw new ArgumentException($"--base {origin} is not among the variants ({string.Join(", ", variants)})");
        }

        var rounds = all.Select(m => m.Label).Distinct().ToList();
        foreach (var scenario in all.Select(m => (m.Kind, m.Concurrency)).Distinct())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n{scenario.Kind} c={scenario.Concurrency}: CPU µs per request by round, and each variant minus {origin}"));
            Console.WriteLine("| round | " + string.Join(" | ", variants) + " | " + string.Join(" | ", variants.Where(v => v != origin).Select(v => $"{v} − {origin}")) + " |");
            Console.WriteLine("| --- | " + string.Join(" | ", variants.Select(_ => "---:")) + " | " + string.Join(" | ", variants.Where(v => v != origin).Select(_ => "---:")) + " |");
            var differences = variants.Where(v => v != origin).ToDictionary(v => v, _ => new List<double>());
            foreach (var round in rounds)
            {
                var row = all.Where(m => m.Label == round && (m.Kind, m.Concurrency) == scenario).ToDictionary(m => m.Target, m => m.TargetCpuUsPerRequest);
                var cells = variants.Select(v => row.GetValueOrDefault(v) is { } c ? c.ToString("0.0", CultureInfo.InvariantCulture) : "–");
                var deltas = new List<string>();
                foreach (var v in differences.Keys)
                {
                    if (row.GetValueOrDefault(v) is { } mine && row.GetValueOrDefault(origin) is { } theirs)
                    {
                        differences[v].Add(mine - theirs);
                        deltas.Add((mine - theirs).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        deltas.Add("–");
                    }
                }

                Console.WriteLine($"| {round} | {string.Join(" | ", cells)} | {string.Join(" | ", deltas)} |");
            }

            foreach (var (v, d) in differences.Where(p => p.Value.Count > 0))
            {
                d.Sort();
                var median = d.Count % 2 == 1 ? d[d.Count / 2] : (d[d.Count / 2 - 1] + d[d.Count / 2]) / 2;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{v} − {origin}: median {median:+0.0;−0.0;0.0} µs, mean {d.Average():+0.0;−0.0;0.0}, range {d[0]:+0.0;−0.0;0.0} to {d[^1]:+0.0;−0.0;0.0} over {d.Count} rounds"));
            }
        }

        return 0;
    }
}
