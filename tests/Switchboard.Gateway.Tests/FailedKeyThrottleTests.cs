using System.Net;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Gateway.Auth;

namespace Switchboard.Gateway.Tests;

/// <summary>The counting behind both throttles of wrong keys, on a fake clock.</summary>
public sealed class FailedKeyThrottleTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void AnAddressWaitsFromItsLastAllowedFailureUntilTheWindowEnds()
    {
        var throttle = new FailedKeyThrottle(2, TimeSpan.FromMinutes(5), 100, _clock);
        var client = IPAddress.Parse("198.51.100.1");

        Assert.False(throttle.MayRefuse);
        Assert.False(throttle.Failed(client));
        Assert.Null(throttle.RetryAfter(client));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(throttle.Failed(client));
        Assert.False(throttle.Failed(client), "the address is reported once, when it starts to wait");

        Assert.True(throttle.MayRefuse);
        Assert.Equal(TimeSpan.FromMinutes(4), throttle.RetryAfter(client));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("198.51.100.2")));
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Null(throttle.RetryAfter(client));
        Assert.False(throttle.MayRefuse);
    }

    [Fact]
    public void IPv4MappedAddressesCountAsIPv4AndIPv6ByTheirSlash64()
    {
        var throttle = new FailedKeyThrottle(2, TimeSpan.FromMinutes(5), 100, _clock);

        throttle.Failed(IPAddress.Parse("::ffff:198.51.100.1"));
        throttle.Failed(IPAddress.Parse("198.51.100.1"));
        throttle.Failed(IPAddress.Parse("2001:db8:1:2:aaaa::1"));
        throttle.Failed(IPAddress.Parse("2001:db8:1:2:bbbb::2"));

        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("198.51.100.1")));
        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("2001:db8:1:2::9")));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("2001:db8:1:3::9")));
        Assert.Equal("198.51.100.1", FailedKeyThrottle.Describe(IPAddress.Parse("::ffff:198.51.100.1")));
        Assert.Equal("2001:db8:1:2::/64", FailedKeyThrottle.Describe(IPAddress.Parse("2001:db8:1:2:aaaa::1")));
        Assert.Equal("unknown", FailedKeyThrottle.Describe(null));
    }

    [Fact]
    public void PastItsCapacityItForgetsEndedWindowsThenTheOldest()
    {
        var throttle = new FailedKeyThrottle(1, TimeSpan.FromMinutes(5), 10, _clock);
        var first = IPAddress.Parse("198.51.100.1");
        throttle.Failed(first);
        for (var i = 2; i <= 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            throttle.Failed(IPAddress.Parse($"198.51.100.{i}"));
        }

        Assert.Equal(10, throttle.Tracked);
        Assert.NotNull(throttle.RetryAfter(first));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var newcomer = IPAddress.Parse("203.0.113.1");
        throttle.Failed(newcomer);

        Assert.True(throttle.Tracked <= 10, $"{throttle.Tracked} addresses tracked");
        Assert.Null(throttle.RetryAfter(first));
        Assert.NotNull(throttle.RetryAfter(newcomer));
        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("198.51.100.10")));

        // Once their windows have ended, all of them go before anyone recent does.
        _clock.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 10; i++)
        {
            throttle.Failed(IPAddress.Parse($"192.0.2.{i}"));
        }

        Assert.Equal(10, throttle.Tracked);
        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("192.0.2.0")));
    }

    [Fact]
    public void ZeroFailuresIsOff()
    {
        var throttle = new FailedKeyThrottle(0, TimeSpan.FromMinutes(5), 10, _clock);
        var client = IPAddress.Loopback;
        for (var i = 0; i < 100; i++)
        {
            Assert.False(throttle.Failed(client));
        }

        Assert.False(throttle.Enabled);
        Assert.Null(throttle.RetryAfter(client));
        Assert.Equal(0, throttle.Tracked);
    }
}
