using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The weighted pick with its randomness given: which deployment each draw lands on, and a seeded run's spread.</summary>
public sealed class WeightedRandomPolicyTests
{
    private static readonly Deployment Light = Create("light", 1);
    private static readonly Deployment Heavy = Create("heavy", 3);

    [Theory]
    [InlineData(0.0, "light")]
    [InlineData(0.24, "light")]
    [InlineData(0.25, "heavy")]
    [InlineData(0.999, "heavy")]
    [InlineData(1.0, "heavy")]
    public void ADrawLandsOnTheDeploymentWhoseShareOfTheSummedWeightsHoldsIt(double draw, string expected)
    {
        var policy = new WeightedRandomPolicy(() => draw);

        Assert.Equal(expected, policy.Pick("m", [Light, Heavy]).Provider.Name);
    }

    [Fact]
    public void ASeededRunIsRepeatableAndFollowsTheWeights()
    {
        static List<string> Run(int seed)
        {
            var random = new Random(seed);
            var policy = new WeightedRandomPolicy(random.NextDouble);
            return [.. Enumerable.Range(0, 4000).Select(_ => policy.Pick("m", [Light, Heavy]).Provider.Name)];
        }

        var picks = Run(42);
        Assert.Equal(picks, Run(42));
        // Weights 1:3; with this seed the count is fixed, the bounds only say what it means.
        Assert.InRange(picks.Count(p => p == "heavy"), 2850, 3150);
    }

    private static Deployment Create(string name, double weight) =>
        new(new ScriptedProvider(name), "m", weight, null, null, new CircuitBreaker(0, TimeSpan.FromSeconds(30), TimeProvider.System));
}
