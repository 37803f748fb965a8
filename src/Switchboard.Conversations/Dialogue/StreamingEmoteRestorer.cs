namespace Switchboard.Conversations.Dialogue;

/// <summary>
/// <see cref="EmoteMarkup.FromModel"/> for a reply that arrives in pieces: a <c>:Name:</c> token split across
/// chunks is held back until it is complete (or can no longer be one), so the client sees the emote as the user
/// wrote it. Holds back at most the length of the longest emote name plus one.
/// </summary>
public sealed class StreamingEmoteRestorer(IReadOnlyCollection<string> emotes)
{
    private string _pending = string.Empty;

    /// <summary>Adds a piece of the reply and returns what can be shown now.</summary>
    public string Push(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (emotes.Count == 0)
        {
            return delta;
        }

        var text = EmoteMarkup.FromModel(_pending + delta, emotes);
        var colon = text.LastIndexOf(':');
        if (colon >= 0 && MayStartToken(text.AsSpan(colon + 1)))
        {
            _pending = text[colon..];
            return text[..colon];
        }

        _pending = string.Empty;
        return text;
    }

    /// <summary>The rest, at the end of the reply.</summary>
    public string Complete()
    {
        var rest = _pending;
        _pending = string.Empty;
        return rest;
    }

    private bool MayStartToken(ReadOnlySpan<char> after)
    {
        foreach (var emote in emotes)
        {
            if (after.Length <= emote.Length && emote.AsSpan().StartsWith(after, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
