namespace Switchboard.Limits;

/// <summary>
/// Money is counted as whole nano-dollars (10⁻⁹ USD) in a <see cref="long"/>: exact to add in memory and in
/// Redis (<c>INCRBY</c>, where floats would drift), fine enough for one token at any real price, and large
/// enough for nine billion dollars.
/// </summary>
public static class Usd
{
    private const decimal NanosPerDollar = 1_000_000_000m;

    /// <summary>Dollars to nano-dollars, rounded half away from zero; saturates instead of overflowing.</summary>
    public static long ToNanos(decimal usd)
    {
        const decimal Largest = long.MaxValue / NanosPerDollar;
        if (usd >= Largest || usd <= -Largest)
        {
            return usd > 0 ? long.MaxValue : long.MinValue;
        }

        return (long)decimal.Round(usd * NanosPerDollar, MidpointRounding.AwayFromZero);
    }

    /// <summary>Nano-dollars as USD.</summary>
    public static decimal FromNanos(long nanos) => nanos / NanosPerDollar;
}
