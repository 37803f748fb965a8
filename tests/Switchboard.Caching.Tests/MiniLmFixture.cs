using Switchboard.Caching.MiniLM;

namespace Switchboard.Caching.Tests;

/// <summary>One loaded model for every test that embeds (loading takes a second or two).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmEmbedder Embedder { get; } = new();

    public void Dispose() => Embedder.Dispose();
}
