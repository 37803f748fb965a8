namespace Switchboard.Limits.Tests;

public sealed class TokenPricesTests
{
    [Fact]
    public void CostIsPricePerMillionTimesTokens()
    {
        var prices = new TokenPrices(2.5m, 10m);
        Assert.Equal(0.0000325m + 0.00007m, prices.Cost(13, 7));
        Assert.Equal(102_500L, prices.CostNanos(13, 7));
    }

    [Fact]
    public void UnpricedDeploymentsCostNothing()
    {
        Assert.Equal(0, TokenPrices.None.CostNanos(1000, 1000));
        Assert.Equal(3_000L, new TokenPrices(null, 3m).CostNanos(1000, 1));
    }

    [Fact]
    public void FractionsOfANanoDollarRoundPerRequest()
    {
        // 0.0375 USD per million tokens is 37.5 nano-dollars per token.
        Assert.Equal(38L, new TokenPrices(0.0375m, null).CostNanos(1, 0));
        Assert.Equal(75L, new TokenPrices(0.0375m, null).CostNanos(2, 0));
    }

    [Fact]
    public void NanoDollarsRoundTrip()
    {
        Assert.Equal(1_234_567_891L, Usd.ToNanos(1.234567891m));
        Assert.Equal(1.234567891m, Usd.FromNanos(1_234_567_891L));
        Assert.Equal(long.MaxValue, Usd.ToNanos(decimal.MaxValue));
    }
}
