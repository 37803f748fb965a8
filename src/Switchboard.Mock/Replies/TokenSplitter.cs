using Microsoft.ML.Tokenizers;
using Switchboard.Tokens;

namespace Switchboard.Mock.Replies;

/// <summary>
/// Cuts text into pieces of whole o200k_base tokens for streaming, so chunks look like a real model's.
/// The pieces always join back to the exact text. Uses the process's one o200k_base tokenizer, the one
/// <see cref="TiktokenTokenCounter"/> counts with, and its bounded, linear cost.
/// </summary>
internal static class TokenSplitter
{
    /// <summary>The tokenizer the pieces are cut with.</summary>
    public static Tokenizer Tokenizer => TiktokenTokenCounter.Tokenizer;

    /// <summary>
    /// The pieces of <paramref name="text"/>, each <paramref name="tokensPerPiece"/> tokens long (the last may be
    /// shorter), or longer when that would make more than <paramref name="maxPieces"/> pieces.
    /// </summary>
    public static List<(string Text, int Tokens)> Split(string text, int tokensPerPiece, int maxPieces = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var pieces = new List<(string, int)>();
        if (string.IsNullOrEmpty(text))
        {
            return pieces;
        }

        var boundaries = TiktokenTokenCounter.TokenStarts(text, cancellationToken);
        tokensPerPiece = Math.Max(Math.Max(1, tokensPerPiece), (int)Math.Ceiling((boundaries.Count + 1) / (double)Math.Max(1, maxPieces)));
        var previous = 0;
        var count = 0;
        foreach (var boundary in boundaries)
        {
            count++;
            if (count % tokensPerPiece == 0)
            {
                pieces.Add((text[previous..boundary], tokensPerPiece));
                previous = boundary;
            }
        }

        pieces.Add((text[previous..], count + 1 - (count / tokensPerPiece * tokensPerPiece)));
        return pieces;
    }
}
