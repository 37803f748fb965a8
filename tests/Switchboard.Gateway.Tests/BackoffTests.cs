using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void PausesDoubleFromOneHundredMillisecondsUpToTwoSeconds()
    {
        var none = new ExponentialBackoff(() => 0);

        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000], Enumerable.Range(1, 7).Select(r => none.Delay(r).TotalMilliseconds));
    }

    [Fact]
    public void JitterAddsUpToHalfAPause()
    {
        Assert.Equal(150, new ExponentialBackoff(() => 0.999999999).Delay(1).TotalMilliseconds, precision: 3);
        Assert.Equal(250, new ExponentialBackoff(() => 0.5).Delay(2).TotalMilliseconds);
        Assert.Equal(3000, new ExponentialBackoff(() => 7).Delay(9).TotalMilliseconds);
    }
}
