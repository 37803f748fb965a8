namespace Switchboard.Compression;

/// <summary>A compressed prompt: each message's new text, in order, and what it saved.</summary>
/// <param name="Texts">The new text of each message, in the order given.</param>
/// <param name="Legend">Where abbreviations were used, the legend to send once as a system message; otherwise null.</param>
/// <param name="OriginalTokens">Tokens of the prompt as given.</param>
/// <param name="CompressedTokens">Tokens of the compressed prompt, the legend included.</param>
public sealed record CompressedPrompt(IReadOnlyList<string> Texts, string? Legend, int OriginalTokens, int CompressedTokens)
{
    /// <summary>Tokens saved (never negative: a compression that saves nothing is not applied).</summary>
    public int TokensSaved => OriginalTokens - CompressedTokens;
}
