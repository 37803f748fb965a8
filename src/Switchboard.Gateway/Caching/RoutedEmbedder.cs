using System.Runtime.InteropServices;
using System.Text.Json;
using Switchboard.Caching.Embeddings;
using Switchboard.Gateway.Pipeline;
using Switchboard.Identity;
using Switchboard.OpenAI;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// An embedder that is one of the gateway's own models: the text is sent as an embeddings request through the
/// pipeline (routing, retries, fallbacks, circuit breakers and usage records apply as to any request). A failure
/// throws <see cref="CacheEmbeddingException"/>, which the cache turns into a miss.
/// </summary>
internal sealed class RoutedEmbedder(string model, Lazy<GatewayPipeline> pipeline, TimeProvider timeProvider) : IRoutedEmbedder
{
    private int _dimensions;

    /// <summary><c>model:NAME</c>: part of each entry's scope, so vectors of another model are never compared.</summary>
    public string Name { get; } = "model:" + model;

    public int Dimensions => Volatile.Read(ref _dimensions);

    public async ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var request = new EmbeddingRequest
        {
            Model = model,
            Input = JsonSerializer.SerializeToElement(text, OpenAIJsonContext.Default.String),
            EncodingFormat = "float",
        };
        // The cache's embeddings are the gateway's own calls, not the requester's: made as the master (no key limits,
        // usage recorded without a key), so a caller's rate limit is not spent twice for one chat request.
        var context = GatewayContext.ForEmbeddings(request, timeProvider: timeProvider);
        context.Caller = CallerIdentity.Master;
        try
        {
            var result = (Switchboard.Pipeline.EmbeddingResult)await pipeline.Value.InvokeAsync(context, cancellationToken);
            if (result.Error is { } error)
            {
                throw new CacheEmbeddingException($"The embeddings model '{model}' failed: {error.Message}");
            }

            if (result.Response?.Data is not [{ Embedding: var embedding }, ..])
            {
                throw new CacheEmbeddingException($"The embeddings model '{model}' answered without a vector.");
            }

            var vector = Read(embedding);
            Volatile.Write(ref _dimensions, vector.Length);
            return VectorMath.Normalize(vector);
        }
        finally
        {
            await context.CompleteAsync();
        }
    }

    /// <summary>An array of numbers, or (from an upstream that ignores <c>encoding_format</c>) base64 of little-endian floats.</summary>
    private float[] Read(JsonElement embedding)
    {
        switch (embedding.ValueKind)
        {
            case JsonValueKind.Array:
                var vector = new float[embedding.GetArrayLength()];
                var i = 0;
                foreach (var value in embedding.EnumerateArray())
                {
                    vector[i++] = value.GetSingle();
                }

                return vector;
            case JsonValueKind.String when embedding.TryGetBytesFromBase64(out var bytes) && bytes.Length % sizeof(float) == 0:
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            default:
                throw new CacheEmbeddingException($"The embeddings model '{model}' answered with an embedding that is not a vector.");
        }
    }
}
