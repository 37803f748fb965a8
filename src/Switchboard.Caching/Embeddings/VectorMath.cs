using System.Numerics.Tensors;

namespace Switchboard.Caching.Embeddings;

/// <summary>SIMD helpers for unit vectors (System.Numerics.Tensors).</summary>
public static class VectorMath
{
    /// <summary>Scales <paramref name="vector"/> in place to length 1 (a zero vector stays zero).</summary>
    public static float[] Normalize(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && Math.Abs(norm - 1) > 1e-6)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    /// <summary>The cosine similarity of two unit vectors.</summary>
    public static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Dot(a, b);
}
