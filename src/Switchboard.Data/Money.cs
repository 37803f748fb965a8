namespace Switchboard.Data;

/// <summary>USD ⇄ the nano-USD integers the database keeps (exact sums on SQLite and PostgreSQL alike).</summary>
internal static class Money
{
    private const decimal NanoPerUsd = 1_000_000_000m;

    public static long ToNano(decimal usd) => (long)decimal.Round(usd * NanoPerUsd, MidpointRounding.AwayFromZero);

    public static decimal FromNano(long nano) => nano / NanoPerUsd;
}
