using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Pipeline;

/// <summary>What an embedding call returns: vectors or an expected failure.</summary>
public sealed record EmbeddingResult
{
    private EmbeddingResult(EmbeddingResponse? response, GatewayError? error)
    {
        Response = response;
        Error = error;
    }

    public EmbeddingResponse? Response { get; }
    public GatewayError? Error { get; }

    public static EmbeddingResult Success(EmbeddingResponse response) => new(response, null);

    public static EmbeddingResult Failure(GatewayError error) => new(null, error);
}
