using Switchboard.Gateway.Limits;
using Switchboard.Limits;

namespace Switchboard.Gateway.Tests;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(0.4, "1ms")]
    [InlineData(250, "250ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(12_345, "12.345s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_723_000, "1h2m3s")]
    public void DurationsAreWrittenAsOpenAIWritesThem(double milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void WritesBothDimensionsThatHadALimit()
    {
        var headers = new Dictionary<string, string>();
        RateLimitHeaders.Write(
            new Admission
            {
                Outcome = AdmissionOutcome.Admitted,
                Requests = new RateLimitStatus(60, 59, TimeSpan.FromSeconds(1)),
                Tokens = new RateLimitStatus(1000, 970, TimeSpan.FromMilliseconds(1800)),
            },
            headers);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["x-ratelimit-limit-requests"] = "60",
                ["x-ratelimit-remaining-requests"] = "59",
                ["x-ratelimit-reset-requests"] = "1s",
                ["x-ratelimit-limit-tokens"] = "1000",
                ["x-ratelimit-remaining-tokens"] = "970",
                ["x-ratelimit-reset-tokens"] = "1.8s",
            },
            headers);
    }

    [Fact]
    public void WritesNothingWithoutLimits()
    {
        var headers = new Dictionary<string, string>();
        RateLimitHeaders.Write(Admission.Unlimited, headers);
        Assert.Empty(headers);
    }
}
