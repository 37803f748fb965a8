using Microsoft.ML.Tokenizers;
using Switchboard.OpenAI;

namespace Switchboard.Tokens;

/// <summary>
/// <see cref="ITokenCounter"/> on the o200k_base encoding of the GPT-4o family, from Microsoft.ML.Tokenizers.
/// The vocabulary is loaded on first use (it takes a moment), then shared. Counting costs time linear in the
/// text (see <see cref="TokenSlices"/>); the first <see cref="MaxExactChars"/> characters of a call are counted
/// exactly, the rest estimated, so no text can cost more than about a second of CPU. Texts counted whole are
/// remembered (bounded, see <see cref="TokenCountCache"/>): a repeated system prompt or conversation is counted once.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    /// <summary>
    /// How many characters of one call are tokenized; beyond, <see cref="CharsPerEstimatedToken"/> characters count
    /// as a token. 256 Ki characters are about 64,000 tokens of English, half of GPT-4o's context, and at most about
    /// a second of CPU for text built to be slow.
    /// </summary>
    public const int MaxExactChars = 256 * 1024;

    /// <summary>The estimate beyond <see cref="MaxExactChars"/>: about what o200k_base averages on English.</summary>
    public const int CharsPerEstimatedToken = 4;

    // OpenAI's documented framing cost: every message adds 3 tokens, the reply is primed with 3 more.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    // 16 Mi characters (32 MiB) at most: a few thousand system prompts and conversations.
    private static readonly TokenCountCache Counted = new(maxEntries: 16_384, maxChars: 16L * 1024 * 1024);

    /// <summary>
    /// The o200k_base tokenizer itself, loaded once for the whole process: for what needs token offsets (the mock
    /// cuts streamed text at token boundaries, through <see cref="TokenStarts"/>), so no second copy of the
    /// vocabulary is loaded and warming up this counter warms up every user.
    /// </summary>
    public static Tokenizer Tokenizer => SharedTokenizer.Value;

    /// <summary>The instance every component shares.</summary>
    public static TiktokenTokenCounter Instance { get; } = new();

    /// <inheritdoc />
    public int CountTokens(string text) => CountTokens(text, CancellationToken.None);

    /// <inheritdoc />
    public int CountTokens(string text, CancellationToken cancellationToken)
    {
        var budget = MaxExactChars;
        return Count(text, ref budget, cancellationToken);
    }

    /// <inheritdoc />
    public int CountPromptTokens(IReadOnlyList<ChatMessage> messages) => CountPromptTokens(messages, CancellationToken.None);

    /// <inheritdoc />
    public int CountPromptTokens(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var total = TokensPerReply;
        var budget = MaxExactChars;
        foreach (var message in messages)
        {
            total += TokensPerMessage + Count(message.Text, ref budget, cancellationToken);
            if (message.Name is { } name)
            {
                total += Count(name, ref budget, cancellationToken) + 1;
            }
        }

        return total;
    }

    /// <summary>
    /// Where each token of <paramref name="text"/> starts (0 excluded), in order, for cutting text at token
    /// boundaries. Past <see cref="MaxExactChars"/> characters the text is cut every
    /// <see cref="CharsPerEstimatedToken"/> characters instead.
    /// </summary>
    public static List<int> TokenStarts(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var starts = new List<int>();
        var exactEnd = 0;
        foreach (var slice in new TokenSlices(text))
        {
            if (exactEnd >= MaxExactChars)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var offset = exactEnd;
            foreach (var token in Tokenizer.EncodeToTokens(slice, out _))
            {
                var start = offset + token.Offset.Start.GetOffset(slice.Length);
                // A token may start inside a surrogate pair when it covers part of an emoji's bytes; never cut there.
                if (start > 0 && start < text.Length && !char.IsLowSurrogate(text[start]) && (starts.Count == 0 || starts[^1] < start))
                {
                    starts.Add(start);
                }
            }

            exactEnd += slice.Length;
        }

        for (var start = exactEnd; start < text.Length; start += CharsPerEstimatedToken)
        {
            if (start > 0 && !char.IsLowSurrogate(text[start]) && (starts.Count == 0 || starts[^1] < start))
            {
                starts.Add(start);
            }
        }

        return starts;
    }

    private static int Count(string? text, ref int budget, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        // A text counted whole earlier counts the same again (what is left of the budget does not matter then).
        if (text.Length <= budget && Counted.TryGet(text, out var known))
        {
            budget -= text.Length;
            return known;
        }

        var tokenizer = SharedTokenizer.Value;
        var total = 0;
        var counted = 0;
        foreach (var slice in new TokenSlices(text))
        {
            if (budget <= 0)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            total += tokenizer.CountTokens(slice);
            budget -= slice.Length;
            counted += slice.Length;
        }

        if (counted == text.Length)
        {
            Counted.Add(text, total);
        }

        return total + ((text.Length - counted + CharsPerEstimatedToken - 1) / CharsPerEstimatedToken);
    }
}
