namespace Switchboard.Gateway.Pipeline;

/// <summary>What prompt compression did to one request: the prompt's tokens before and as sent.</summary>
/// <param name="OriginalTokens">Tokens of the messages as the client sent them.</param>
/// <param name="SentTokens">Tokens of the messages as sent upstream (a legend included).</param>
public sealed record CompressionSavings(int OriginalTokens, int SentTokens)
{
    /// <summary>Tokens the compression saved.</summary>
    public int TokensSaved => OriginalTokens - SentTokens;
}
