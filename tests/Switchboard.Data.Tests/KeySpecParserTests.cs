using Switchboard.Data.Keys;

namespace Switchboard.Data.Tests;

public sealed class KeySpecParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("10/day", 10.0, null, null)]
    [InlineData("$2.5/month", null, 2.5, null)]
    [InlineData("100", null, null, 100.0)]
    [InlineData("7/total", null, null, 7.0)]
    public void BudgetsNameTheirPeriod(string text, double? daily, double? monthly, double? total)
    {
        var spec = new KeySpec { Name = "k" };

        Assert.Null(KeySpecParser.ApplyBudget(ref spec, text));

        Assert.Equal((decimal?)daily, spec.BudgetDailyUsd);
        Assert.Equal((decimal?)monthly, spec.BudgetMonthlyUsd);
        Assert.Equal((decimal?)total, spec.BudgetTotalUsd);
    }

    [Theory]
    [InlineData("ten/day")]
    [InlineData("-1/day")]
    [InlineData("0")]
    [InlineData("5/week")]
    public void BadBudgetsAreExplained(string text)
    {
        var spec = new KeySpec { Name = "k" };

        Assert.NotNull(KeySpecParser.ApplyBudget(ref spec, text));
    }

    [Fact]
    public void ExpiryTakesDatesTimesAndSpans()
    {
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), KeySpecParser.ParseExpiry("2026-12-31", Now, out _));
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 18, 0, 0, TimeSpan.Zero), KeySpecParser.ParseExpiry("2026-12-31T18:00:00Z", Now, out _));
        Assert.Equal(Now.AddDays(30), KeySpecParser.ParseExpiry("30d", Now, out _));
        Assert.Equal(Now.AddHours(12), KeySpecParser.ParseExpiry("12h", Now, out _));
        Assert.Null(KeySpecParser.ParseExpiry("next week", Now, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void ASpecWithoutNameOrWithAPastExpiryIsRefused()
    {
        var problems = KeySpecParser.Validate(new KeySpec { Name = " ", Rpm = 0, ExpiresAt = Now.AddDays(-1) }, Now);

        Assert.Contains(problems, p => p.StartsWith("name:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("rpm:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("expires:", StringComparison.Ordinal));
    }

    [Fact]
    public void ModelListsAreCommaSeparatedGlobs() =>
        Assert.Equal(["gpt-4o", "o3*"], KeySpecParser.ParseModels(" gpt-4o, o3* ,"));
}
