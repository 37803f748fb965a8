namespace Switchboard.Cleaning;

/// <summary>Who is talking, so the cleaner can recognise echoed names. Empty means no names are known.</summary>
public sealed record CleaningContext
{
    /// <summary>No names known: only the name-independent rules apply.</summary>
    public static CleaningContext None { get; } = new();

    /// <summary>Names the assistant may echo as its own transcript prefix (its display name, the model name). <c>assistant</c> is always included.</summary>
    public IReadOnlyList<string> AssistantNames { get; init; } = [];

    /// <summary>The other participants (the users of a multi-user channel): a line starting <c>name:</c> with one of these ends the reply.</summary>
    public IReadOnlyList<string> OtherSpeakers { get; init; } = [];
}
