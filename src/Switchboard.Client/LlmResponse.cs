using Microsoft.Extensions.AI;

namespace Switchboard.Client;

/// <summary>
/// The result of one call: the answer and its numbers when <see cref="Success"/>, otherwise a message a person can
/// act on in <see cref="Error"/>. Calls return this instead of throwing, so a batch job checks a value, not a catch.
/// </summary>
public sealed record LlmResponse
{
    /// <summary>The answer's text (cleaned when response cleaning is on); empty when the call failed.</summary>
    public string Content { get; init; } = string.Empty;

    /// <summary>Prompt plus completion tokens, as the server reported them (0 when it did not).</summary>
    public int TokensUsed { get; init; }

    /// <summary>Tokens of the prompt, as the server reported them (0 when it did not).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Tokens of the answer, as the server reported them (0 when it did not).</summary>
    public int CompletionTokens { get; init; }

    /// <summary>How long the call took, retries included, successful or not.</summary>
    public TimeSpan ResponseTime { get; init; }

    /// <summary>The model that answered, as the response names it; otherwise the model that was asked for.</summary>
    public string ModelUsed { get; init; } = string.Empty;

    /// <summary>Whether the call produced an answer.</summary>
    public bool Success { get; init; }

    /// <summary>Why the call failed, written for a person (what happened, where, and what to check); null on success.</summary>
    public string? Error { get; init; }

    /// <summary>The kind of failure, for code; <see cref="LlmErrorKind.None"/> on success.</summary>
    public LlmErrorKind ErrorKind { get; init; }

    /// <summary>The HTTP status of a failed call that got an HTTP answer (429, 503...); null otherwise.</summary>
    public int? StatusCode { get; init; }

    /// <summary>When the server asked to be called again (its <c>retry-after</c>), on a 429 or 503; null otherwise.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Why the model stopped (<c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c>), when the server said.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The Microsoft.Extensions.AI response behind this result (uncleaned), for tool calls, raw payloads and more; null on failure.</summary>
    public ChatResponse? ChatResponse { get; init; }
}
