using Microsoft.ML.Tokenizers;
using Switchboard.OpenAI;

namespace Switchboard.Tokens;

/// <summary>
/// <see cref="ITokenCounter"/> on the o200k_base encoding of the GPT-4o family, from Microsoft.ML.Tokenizers.
/// The vocabulary is loaded on first use (it takes a moment), then shared.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    // OpenAI's documented framing cost: every message adds 3 tokens, the reply is primed with 3 more.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>
    /// The o200k_base tokenizer itself, loaded once for the whole process: for what needs token offsets (the mock
    /// cuts streamed text at token boundaries), so no second copy of the vocabulary is loaded and warming up this
    /// counter warms up every user.
    /// </summary>
    public static Tokenizer Tokenizer => SharedTokenizer.Value;

    /// <summary>The instance every component shares.</summary>
    public static TiktokenTokenCounter Instance { get; } = new();

    /// <inheritdoc />
    public int CountTokens(string text) => string.IsNullOrEmpty(text) ? 0 : SharedTokenizer.Value.CountTokens(text);

    /// <inheritdoc />
    public int CountPromptTokens(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var total = TokensPerReply;
        foreach (var message in messages)
        {
            total += TokensPerMessage + CountTokens(message.Text);
            if (message.Name is { } name)
            {
                total += CountTokens(name) + 1;
            }
        }

        return total;
    }
}
