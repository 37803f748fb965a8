using Switchboard.Gateway.Limits;
using Switchboard.Limits;

namespace Switchboard.Gateway.Tests;

public sealed class RateLimitHeadersTests
{
    // An admission of 60 RPM with 59 left (reset in 1 s) and 1,000 TPM with 970 left, as headers.
    private static Dictionary<string, string> HeadersOf60RpmAnd1000Tpm(string resetTokens) => new()
    {
        ["x-ratelimit-limit-requests"] = "60",
        ["x-ratelimit-remaining-requests"] = "59",
        ["x-ratelimit-reset-requests"] = "1s",
        ["x-ratelimit-limit-tokens"] = "1000",
        ["x-ratelimit-remaining-tokens"] = "970",
        ["x-ratelimit-reset-tokens"] = resetTokens,
    };

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

        Assert.Equal(HeadersOf60RpmAnd1000Tpm(resetTokens: "1.8s"), headers);
    }

    [Fact]
    public void WritesNothingWithoutLimits()
    {
        var headers = new Dictionary<string, string>();
        RateLimitHeaders.Write(Admission.Unlimited, headers);
        Assert.Empty(headers);
    }

    [Fact]
    public void WritesTheSameValuesOntoAnHttpAnswerAndReusesTheirTexts()
    {
        var admission = new Admission
        {
            Outcome = AdmissionOutcome.Admitted,
            Requests = new RateLimitStatus(60, 59, TimeSpan.FromSeconds(1)),
            Tokens = new RateLimitStatus(1000, 970, TimeSpan.FromMilliseconds(61_800.2)),
        };
        var first = new Microsoft.AspNetCore.Http.HeaderDictionary();
        var second = new Microsoft.AspNetCore.Http.HeaderDictionary();

        RateLimitHeaders.Write(admission, first);
        RateLimitHeaders.Write(admission, second);

        Assert.Equal(HeadersOf60RpmAnd1000Tpm(resetTokens: "1m1.801s"), first.ToDictionary(h => h.Key, h => h.Value.ToString()));
        foreach (var (name, value) in first)
        {
            Assert.Same(value.ToString(), second[name].ToString());
        }
    }

    [Theory]
    [InlineData(5L)]
    [InlineData(5L + 1024)]
    [InlineData(long.MaxValue)]
    public void CachedNumbersAreTheNumbersAskedForWhenTheirSlotHeldAnother(long value)
    {
        RateLimitHeaders.Write(new Admission { Outcome = AdmissionOutcome.Admitted, Requests = new RateLimitStatus(5, 5, TimeSpan.Zero) }, new Dictionary<string, string>());
        var headers = new Dictionary<string, string>();

        RateLimitHeaders.Write(new Admission { Outcome = AdmissionOutcome.Admitted, Requests = new RateLimitStatus(value, value, TimeSpan.FromMilliseconds(value % 100_000)) }, headers);

        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-limit-requests"]);
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-remaining-requests"]);
        Assert.Equal(RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(value % 100_000)), headers["x-ratelimit-reset-requests"]);
    }
}
