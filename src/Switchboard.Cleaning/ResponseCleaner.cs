using System.Text.RegularExpressions;

namespace Switchboard.Cleaning;

/// <summary>
/// Removes what a model says that a reader should not see: reasoning blocks, inner monologue, its own name echoed
/// as a transcript prefix, other participants' turns it goes on to invent, and stray chat-template tokens.
/// Immutable and thread-safe; one instance serves every request. Whole replies go through <see cref="Clean"/>,
/// streams through <see cref="BeginStream"/>, and both give the same result however a stream was split.
/// </summary>
public sealed class ResponseCleaner
{
    private const RegexOptions PatternOptions = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly Regex MonologueAside = new(
        @"^\s*[\(\[](?:inner monologue|internal monologue|inner thoughts?|thinking|thoughts?)\b[^\)\]]*[\)\]]\s*", PatternOptions, PatternTimeout);

    private static readonly Regex MonologueAction = new(
        @"^\s*\*(?:thinks|thinking|ponders|pondering|internally)\b[^*]*\*\s*", PatternOptions, PatternTimeout);

    private static readonly Regex MonologueLine = new(
        @"^\s*(?:\*\*)?(?:inner monologue|internal monologue|inner thoughts?|thoughts?|thinking)(?:\*\*)?\s*:", PatternOptions, PatternTimeout);

    // Conversations bring their own participants: bound the patterns kept for them.
    private const int MaxCachedSpeakerPatterns = 1024;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> _speakerPatterns = new(StringComparer.Ordinal);
    private readonly string[] _openTags;
    private readonly string[] _closeTags;
    private readonly string[] _roleTags;
    private readonly Regex[] _extraPatterns;

    /// <summary>Creates a cleaner; invalid <see cref="ResponseCleanerOptions.ExtraPatterns"/> throw <see cref="ArgumentException"/> here, not per reply.</summary>
    public ResponseCleaner(ResponseCleanerOptions? options = null)
    {
        Options = options ?? new ResponseCleanerOptions();
        _openTags = Options.StripReasoning ? [.. Options.ReasoningTags.Select(t => $"<{t}>")] : [];
        _closeTags = Options.StripReasoning ? [.. Options.ReasoningTags.Select(t => $"</{t}>")] : [];
        _roleTags = Options.StripRoleTags ? [.. Options.RoleTags.Where(t => t.Length > 0).OrderByDescending(t => t.Length)] : [];
        _extraPatterns = [.. Options.ExtraPatterns.Select(p => new Regex(p, PatternOptions | RegexOptions.Multiline, PatternTimeout))];
        MaxTokenLength = _openTags.Concat(_closeTags).Concat(_roleTags).Select(t => t.Length).DefaultIfEmpty(0).Max();
    }

    /// <summary>The shared default cleaner.</summary>
    public static ResponseCleaner Default { get; } = new();

    /// <summary>What this cleaner removes.</summary>
    public ResponseCleanerOptions Options { get; }

    internal IReadOnlyList<string> OpenTags => _openTags;

    internal IReadOnlyList<string> CloseTags => _closeTags;

    internal IReadOnlyList<string> RoleTags => _roleTags;

    internal int MaxTokenLength { get; }

    internal bool HasExtraPatterns => _extraPatterns.Length > 0;

    /// <summary>Cleans a whole reply. The content and the reasoning come back trimmed.</summary>
    public CleanedText Clean(string reply, CleaningContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        // A whole reply shows what a stream cannot know in time: a closing tag with no opening one means the chat
        // template opened the block in the prompt (Qwen3, DeepSeek-R1 distills), so the reply starts in reasoning.
        var stream = new StreamingCleaner(this, context ?? CleaningContext.None, Options.StartsInReasoning || ClosesBeforeOpening(reply));
        var first = stream.Push(reply);
        var last = stream.Complete();
        return new CleanedText((first.Content + last.Content).Trim(), (first.Reasoning + last.Reasoning).Trim());
    }

    /// <summary>Starts cleaning one streamed reply: push each delta as it arrives, then call <see cref="StreamingCleaner.Complete"/>.</summary>
    public StreamingCleaner BeginStream(CleaningContext? context = null) => new(this, context ?? CleaningContext.None, Options.StartsInReasoning);

    private bool ClosesBeforeOpening(string reply)
    {
        var firstClose = FirstIndex(reply, _closeTags);
        return firstClose >= 0 && (FirstIndex(reply, _openTags) is var firstOpen && (firstOpen < 0 || firstClose < firstOpen));

        static int FirstIndex(string text, string[] tags)
        {
            var first = -1;
            foreach (var tag in tags)
            {
                var at = text.IndexOf(tag, StringComparison.OrdinalIgnoreCase);
                if (at >= 0 && (first < 0 || at < first))
                {
                    first = at;
                }
            }

            return first;
        }
    }

    internal string ApplyExtraPatterns(string line)
    {
        foreach (var pattern in _extraPatterns)
        {
            try
            {
                line = pattern.Replace(line, string.Empty);
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern must not stall a reply: leave the line as it is.
            }
        }

        return line;
    }

    internal static bool IsMonologueLine(string line) => SafeIsMatch(MonologueLine, line);

    internal static string StripMonologueOpening(string line)
    {
        line = SafeReplace(MonologueAside, line);
        return SafeReplace(MonologueAction, line);
    }

    /// <summary>
    /// The pattern of a transcript prefix naming one of <paramref name="names"/>. Building a regex costs far more
    /// than cleaning a reply, and the same few name sets come back on every request: they are built once.
    /// </summary>
    internal Regex SpeakerPrefix(IEnumerable<string> names)
    {
        var alternatives = string.Join('|', names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => Regex.Escape(n.Trim())).Distinct(StringComparer.OrdinalIgnoreCase));
        if (_speakerPatterns.TryGetValue(alternatives, out var cached))
        {
            return cached;
        }

        if (_speakerPatterns.Count >= MaxCachedSpeakerPatterns)
        {
            _speakerPatterns.Clear();
        }

        return _speakerPatterns[alternatives] = new Regex($@"^\s*(?:\*\*)?(?:{alternatives})(?:\*\*)?\s*:[ \t]*", PatternOptions, PatternTimeout);
    }

    internal static bool SafeIsMatch(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    internal static string SafeReplace(Regex regex, string text)
    {
        try
        {
            return regex.Replace(text, string.Empty, 1);
        }
        catch (RegexMatchTimeoutException)
        {
            return text;
        }
    }
}
