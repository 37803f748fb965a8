using Switchboard.Errors;

namespace Switchboard.Pipeline;

/// <summary>
/// What one operation of the gateway returns: a <see cref="ChatResult"/>, an <see cref="EmbeddingResult"/> or a
/// <see cref="ModelsResult"/>, each either a success or an expected failure (<see cref="Error"/>). Providers return
/// the kind of their call; the gateway's pipeline carries any of them, so a stage that only cares whether a
/// request failed (auth, limits, usage) reads <see cref="Error"/> without knowing the operation.
/// </summary>
public abstract record GatewayResult
{
    private protected GatewayResult()
    {
    }

    /// <summary>The failure that becomes an OpenAI error answer; null for a success.</summary>
    public abstract GatewayError? Error { get; }

    /// <summary>True unless the result is a failure.</summary>
    public bool IsSuccess => Error is null;
}
