using Microsoft.Extensions.Configuration;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Gateway.Tests;

/// <summary>The configuration check on options types of its own, as a new section would bring them.</summary>
public sealed class ConfigurationCheckerTests
{
    private static (ConfigurationCheck Check, IConfiguration Bound) Check(params (string Key, string? Value)[] values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();
        var check = ConfigurationChecker.Check(configuration, typeof(SampleSection));
        return (check, check.Apply(configuration));
    }

    [Fact]
    public void AnyTimeSpanKeyTakesAHumanDurationWhateverItsName()
    {
        var (check, bound) = Check(("ttl", "30s"), ("window", "1m"), ("nested:grace", "250ms"));

        Assert.Empty(check.Problems);
        var section = bound.Get<SampleSection>()!;
        Assert.Equal(TimeSpan.FromSeconds(30), section.Ttl);
        Assert.Equal(TimeSpan.FromMinutes(1), section.Window);
        Assert.Equal(TimeSpan.FromMilliseconds(250), section.Nested.Grace);
    }

    [Fact]
    public void BadValuesAreReportedAndLeftOutSoTheRestStillBinds()
    {
        var (check, bound) = Check(("ttl", "later"), ("size", "big"), ("mode", "sideways"), ("name", "kept"));

        Assert.Equal(
            ["mode: 'sideways' is not one of fast, careful.", "name: ok", "size: 'big' is not a whole number.", "ttl: 'later' is not a duration longer than zero; write e.g. 30s, 500ms, 2m or 00:00:30."],
            [.. check.Problems.Select(p => $"{p.Key}: {p.Message}").Append("name: ok").Order(StringComparer.Ordinal)]);
        var section = bound.Get<SampleSection>()!;
        Assert.Equal("kept", section.Name);
        Assert.Equal(TimeSpan.FromMinutes(5), section.Ttl);
        Assert.Equal(10, section.Size);
    }

    [Theory]
    [InlineData("baseurl", "base_url")]
    [InlineData("base-url", "base_url")]
    [InlineData("BASE_URL_", "base_url")]
    [InlineData("retires", "retries")]
    [InlineData("tiemout", "timeout")]
    public void AnUnknownKeyIsMatchedToTheClosestKnownOne(string written, string meant) =>
        Assert.Equal(meant, ConfigurationChecker.Suggest(written, ["base_url", "api_key", "retries", "timeout", "name"]));

    [Fact]
    public void AKeyFarFromEveryKnownOneGetsNoSuggestion() =>
        Assert.Null(ConfigurationChecker.Suggest("temperature", ["base_url", "api_key", "retries"]));

    private enum SampleMode
    {
        Fast,
        Careful,
    }

    private sealed class SampleSection
    {
        public string Name { get; set; } = string.Empty;

        public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

        public TimeSpan? Window { get; set; }

        public int Size { get; set; } = 10;

        public SampleMode Mode { get; set; }

        public NestedSection Nested { get; set; } = new();
    }

    private sealed class NestedSection
    {
        public TimeSpan Grace { get; set; }
    }
}
