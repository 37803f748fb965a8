using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Vectors;

namespace Switchboard.Caching.Tests;

public sealed class VectorIndexTests(ITestOutputHelper output)
{
    private const int Dimensions = 384;

    [Fact]
    public void ExactSearchFindsTheNearestAboveTheThreshold()
    {
        var index = new FlatVectorIndex(Dimensions);
        var vectors = ClusteredVectors(200, seed: 1);
        for (var i = 0; i < vectors.Count; i++)
        {
            index.Add(i, vectors[i]);
        }

        var match = Assert.Single(index.Search(vectors[17], 1, 0.99f));
        Assert.Equal(17, match.Id);
        Assert.True(index.Remove(17));
        Assert.DoesNotContain(index.Search(vectors[17], 4, 0f), m => m.Id == 17);
    }

    [Fact]
    public void TheGraphFindsWhatExactSearchFindsAtLeast95PercentOfTheTime()
    {
        var vectors = ClusteredVectors(5_000, seed: 2);
        var flat = new FlatVectorIndex(Dimensions);
        var graph = new HnswVectorIndex(Dimensions);
        for (var i = 0; i < vectors.Count; i++)
        {
            flat.Add(i, vectors[i]);
            graph.Add(i, vectors[i]);
        }

        var queries = ClusteredVectors(500, seed: 3);
        var found = queries.Count(q => graph.Search(q, 1, -1f)[0].Id == flat.Search(q, 1, -1f)[0].Id);
        var recall = (double)found / queries.Count;
        output.WriteLine($"HNSW recall@1 over 5,000 clustered vectors: {recall:P1}");
        Assert.True(recall >= 0.95, $"recall {recall:P1}");
    }

    [Fact]
    public void AnAdaptiveIndexTurnsApproximateBeyondItsLimitAndKeepsEveryEntry()
    {
        var index = new AdaptiveVectorIndex(Dimensions, exactSearchLimit: 100, searchBreadth: 64);
        var vectors = ClusteredVectors(150, seed: 4);
        for (var i = 0; i < vectors.Count; i++)
        {
            index.Add(i, vectors[i]);
        }

        Assert.True(index.IsApproximate);
        Assert.Equal(150, index.Count);
        Assert.Equal(3, index.Search(vectors[3], 1, 0.99f)[0].Id);
    }

    /// <summary>Unit vectors around a few dozen centres, as sentence embeddings of related requests are.</summary>
    internal static List<float[]> ClusteredVectors(int count, int seed)
    {
        var centres = new Random(1234);
        var centreVectors = Enumerable.Range(0, 50).Select(_ => Gaussian(centres, 1f)).ToArray();
        var random = new Random(seed);
        var result = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var centre = centreVectors[random.Next(centreVectors.Length)];
            var noise = Gaussian(random, 0.6f);
            var vector = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++)
            {
                vector[d] = centre[d] + noise[d];
            }

            result.Add(VectorMath.Normalize(vector));
        }

        return result;
    }

    private static float[] Gaussian(Random random, float scale)
    {
        var vector = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            vector[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return vector;
    }
}
