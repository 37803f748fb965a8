namespace Switchboard.Gateway.Dashboard;

/// <summary>
/// One minute's totals. Latencies go into logarithmic bins (about 9 % wide), so percentiles over any range are
/// a merge of bins, not a sort of every request.
/// </summary>
internal struct MinuteBucket
{
    // Bin i holds latencies up to 2^(i/8) ms: 1 ms … ~17 min in 128 bins.
    private const int BinCount = 128;
    private int[]? _latencyBins;

    public MinuteBucket(long minute) => Minute = minute;

    public long Minute { get; private set; }
    public int Requests { get; private set; }
    public int Errors { get; private set; }
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public decimal CostUsd { get; private set; }
    public int CacheHits { get; private set; }
    public decimal CostSavedUsd { get; private set; }

    public void Add(RequestRecord record)
    {
        Requests++;
        Errors += record.Status >= 400 ? 1 : 0;
        InputTokens += record.InputTokens;
        OutputTokens += record.OutputTokens;
        CostUsd += record.CostUsd ?? 0;
        CacheHits += record.Cache is "hit" or "semantic" ? 1 : 0;
        CostSavedUsd += record.CostSavedUsd;
        (_latencyBins ??= new int[BinCount])[Bin(record.LatencyMs)]++;
    }

    public void Merge(MinuteBucket other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        InputTokens += other.InputTokens;
        OutputTokens += other.OutputTokens;
        CostUsd += other.CostUsd;
        CacheHits += other.CacheHits;
        CostSavedUsd += other.CostSavedUsd;
        if (other._latencyBins is { } bins)
        {
            _latencyBins ??= new int[BinCount];
            for (var i = 0; i < BinCount; i++)
            {
                _latencyBins[i] += bins[i];
            }
        }
    }

    public readonly SeriesPoint ToPoint() => new()
    {
        Time = DateTimeOffset.FromUnixTimeSeconds(Minute * 60),
        Requests = Requests,
        Errors = Errors,
        P50Ms = Percentile(0.50),
        P99Ms = Percentile(0.99),
        InputTokens = InputTokens,
        OutputTokens = OutputTokens,
        CostUsd = CostUsd,
        CacheHits = CacheHits,
        CostSavedUsd = CostSavedUsd,
    };

    private readonly double? Percentile(double quantile)
    {
        if (_latencyBins is null || Requests == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * Requests);
        long seen = 0;
        for (var i = 0; i < BinCount; i++)
        {
            seen += _latencyBins[i];
            if (seen >= rank)
            {
                return Math.Round(Math.Pow(2, i / 8.0), 1);
            }
        }

        return null;
    }

    private static int Bin(double latencyMs) =>
        latencyMs <= 1 ? 0 : Math.Min(BinCount - 1, (int)Math.Ceiling(Math.Log2(latencyMs) * 8));
}
