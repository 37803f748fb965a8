namespace Switchboard.Cleaning;

/// <summary>A cleaned reply, or the cleaned part of one stream delta.</summary>
/// <param name="Content">What the reader should see.</param>
/// <param name="Reasoning">The reasoning removed from it (the inside of <c>&lt;think&gt;</c> blocks), empty when there was none.</param>
public readonly record struct CleanedText(string Content, string Reasoning)
{
    /// <summary>Nothing to show yet.</summary>
    public static CleanedText Empty { get; } = new(string.Empty, string.Empty);

    /// <summary>Whether this carries neither content nor reasoning.</summary>
    public bool IsEmpty => Content.Length == 0 && Reasoning.Length == 0;
}
