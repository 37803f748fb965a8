using Switchboard.Caching.Embeddings;

namespace Switchboard.Benchmarks;

/// <summary>Unit vectors around 200 centres: sentence embeddings of one application's requests cluster by topic.</summary>
internal static class ClusteredVectors
{
    /// <summary><paramref name="count"/> vectors of <paramref name="dimensions"/>; the centres are the same for every seed.</summary>
    public static List<float[]> Create(int count, int seed, int dimensions)
    {
        var centres = new Random(7);
        var centreVectors = Enumerable.Range(0, 200).Select(_ => Gaussian(centres, 1f, dimensions)).ToArray();
        var random = new Random(seed);
        var result = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var centre = centreVectors[random.Next(centreVectors.Length)];
            var noise = Gaussian(random, 0.8f, dimensions);
            var vector = new float[dimensions];
            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = centre[d] + noise[d];
            }

            result.Add(VectorMath.Normalize(vector));
        }

        return result;
    }

    private static float[] Gaussian(Random random, float scale, int dimensions)
    {
        var vector = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            vector[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return vector;
    }
}
