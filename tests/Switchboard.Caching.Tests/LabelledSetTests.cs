using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Semantic;

namespace Switchboard.Caching.Tests;

/// <summary>
/// The labelled set (TestData/semantic-pairs.jsonl) through the real semantic cache at its default settings:
/// the built-in MiniLM model, the default threshold, the guard and the scope. For each pair, request a is
/// answered and stored, then request b is looked up.
/// </summary>
public sealed class LabelledSetTests(MiniLmFixture model, ITestOutputHelper output) : IClassFixture<MiniLmFixture>
{
    [Fact]
    public async Task NoAdversarialPairIsEverAnsweredFromTheCacheAndMostParaphrasesAre()
    {
        var pairs = LabelledPair.Load();
        Assert.True(pairs.Count >= 200, $"the labelled set has {pairs.Count} pairs");
        var falseHits = new List<string>();
        var missedParaphrases = new List<string>();
        var outcomes = new List<(LabelledPair Pair, bool Hit)>();
        foreach (var pair in pairs)
        {
            var hit = await IsHitAsync(pair);
            outcomes.Add((pair, hit));
            if (hit && !pair.ShouldHit)
            {
                falseHits.Add(pair.ToString());
            }
            else if (!hit && pair.ShouldHit)
            {
                missedParaphrases.Add(pair.ToString());
            }
        }

        Report(outcomes);
        foreach (var missed in missedParaphrases)
        {
            output.WriteLine($"missed paraphrase  {missed}");
        }

        Assert.Empty(falseHits);
        var paraphrases = outcomes.Count(o => o.Pair.ShouldHit);
        var recall = (double)outcomes.Count(o => o.Pair.ShouldHit && o.Hit) / paraphrases;
        Assert.True(recall >= 0.70, $"paraphrase hit rate {recall:P1} is below the 70 % target");
    }

    private async Task<bool> IsHitAsync(LabelledPair pair)
    {
        var options = new SemanticCacheOptions { Enabled = true };
        var cache = new SemanticCache(options, model.Embedder, new MemorySemanticCacheStore(), TimeProvider.System, NullLogger<SemanticCache>.Instance);
        var cached = CacheKeys.Semantic(pair.AScope.Request(pair.A), pair.AScope.Model, pair.AScope.Namespace, options.ContextTurns)!;
        var first = await cache.LookupAsync(cached, TestContext.Current.CancellationToken);
        await cache.StoreAsync(cached, first.Vector!, "answer"u8.ToArray(), TestContext.Current.CancellationToken);

        var asked = CacheKeys.Semantic(pair.BScope.Request(pair.B), pair.BScope.Model, pair.BScope.Namespace, options.ContextTurns)!;
        var lookup = await cache.LookupAsync(asked, TestContext.Current.CancellationToken);
        return lookup.IsHit;
    }

    private void Report(List<(LabelledPair Pair, bool Hit)> outcomes)
    {
        foreach (var split in outcomes.GroupBy(o => o.Pair.Split).Prepend(outcomes.GroupBy(_ => "all").Single()))
        {
            var paraphrases = split.Where(o => o.Pair.ShouldHit).ToList();
            var adversarial = split.Where(o => !o.Pair.ShouldHit).ToList();
            var hits = split.Count(o => o.Hit);
            var trueHits = paraphrases.Count(o => o.Hit);
            var precision = hits == 0 ? 1 : (double)trueHits / hits;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{split.Key}: {paraphrases.Count} paraphrases, {adversarial.Count} near-misses; paraphrase hit rate (recall) {trueHits}/{paraphrases.Count} = {(double)trueHits / paraphrases.Count:P1}; false hits {adversarial.Count(o => o.Hit)}; precision {precision:P1}"));
        }

        foreach (var kind in outcomes.Where(o => !o.Pair.ShouldHit).GroupBy(o => o.Pair.Kind))
        {
            output.WriteLine($"  near-miss kind {kind.Key}: {kind.Count()} pairs, {kind.Count(o => o.Hit)} answered from the cache");
        }
    }
}
