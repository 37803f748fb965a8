using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Pipeline;

/// <summary>What an embedding call returns: vectors or an expected failure.</summary>
public sealed record EmbeddingResult : GatewayResult
{
    private EmbeddingResult(EmbeddingResponse? response, GatewayError? error, ReadOnlyMemory<byte> json = default)
    {
        Response = response;
        Error = error;
        Json = json;
    }

    /// <summary>The vectors; null for a failure.</summary>
    public EmbeddingResponse? Response { get; }

    /// <inheritdoc />
    public override GatewayError? Error { get; }

    /// <summary>The upstream's own bytes for <see cref="Response"/>, written as they came; empty when Switchboard built the response.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>Vectors Switchboard built; serialized when written.</summary>
    public static EmbeddingResult Success(EmbeddingResponse response) => new(response, null);

    /// <summary>An upstream's answer, parsed and as it came.</summary>
    public static EmbeddingResult Success(EmbeddingResponse response, ReadOnlyMemory<byte> utf8Json) => new(response, null, utf8Json);

    /// <summary>A failed embedding call.</summary>
    public static EmbeddingResult Failure(GatewayError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
