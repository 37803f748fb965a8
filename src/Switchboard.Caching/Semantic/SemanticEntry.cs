namespace Switchboard.Caching.Semantic;

/// <summary>One stored request of the semantic cache: where it belongs, its vector and text, and (when loaded whole) its answer.</summary>
public sealed record SemanticEntry
{
    /// <summary>Time-ordered and unique across replicas (milliseconds and random bits).</summary>
    public required long Id { get; init; }

    public required string Namespace { get; init; }

    public required string Model { get; init; }

    /// <summary>A hash of everything that must be identical for a hit (model, system prompt, tools, response format, parameters, older turns, embedder).</summary>
    public required string Scope { get; init; }

    /// <summary>The unit vector of <see cref="Text"/>.</summary>
    public required float[] Vector { get; init; }

    /// <summary>The text that was embedded (last user message and the turns of the window), for the guard.</summary>
    public required string Text { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The stored answer (<see cref="Entries.CachedAnswerCodec"/> bytes); empty when only the index part was loaded.</summary>
    public ReadOnlyMemory<byte> Answer { get; init; }
}
