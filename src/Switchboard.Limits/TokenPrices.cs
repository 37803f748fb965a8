namespace Switchboard.Limits;

/// <summary>A deployment's prices in USD per million input (prompt) and output (completion) tokens; null when not priced.</summary>
public sealed record TokenPrices(decimal? InputPerMillion, decimal? OutputPerMillion)
{
    /// <summary>No prices: requests cost nothing that a budget could count.</summary>
    public static TokenPrices None { get; } = new(null, null);

    /// <summary>True when at least one price is set.</summary>
    public bool IsPriced => InputPerMillion is not null || OutputPerMillion is not null;

    /// <summary>The cost of one request in nano-dollars (see <see cref="Usd"/>).</summary>
    public long CostNanos(long inputTokens, long outputTokens)
    {
        if (!IsPriced)
        {
            return 0;
        }

        // USD per million tokens is exactly 1000 nano-dollars per token per dollar of price.
        var nanos = (inputTokens * (InputPerMillion ?? 0m) * 1000m) + (outputTokens * (OutputPerMillion ?? 0m) * 1000m);
        return nanos <= 0 ? 0 : Usd.ToNanos(nanos / 1_000_000_000m);
    }

    /// <summary>The cost of one request in USD.</summary>
    public decimal Cost(long inputTokens, long outputTokens) => Usd.FromNanos(CostNanos(inputTokens, outputTokens));
}
