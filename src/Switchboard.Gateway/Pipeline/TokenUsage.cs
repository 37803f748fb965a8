using Switchboard.OpenAI;

namespace Switchboard.Gateway.Pipeline;

/// <summary>Tokens one request used: the upstream's own count, or an estimate where it gave none.</summary>
/// <param name="PromptTokens">Tokens of the prompt (or of the embedded inputs).</param>
/// <param name="CompletionTokens">Tokens of the answer; 0 for embeddings.</param>
/// <param name="IsEstimated">True when Switchboard counted them (at admission, or because the upstream sent no usage).</param>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens, bool IsEstimated = false)
{
    /// <summary>Prompt and completion tokens together.</summary>
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>The upstream's reported usage.</summary>
    public static TokenUsage From(Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new TokenUsage(usage.PromptTokens, usage.CompletionTokens);
    }
}
