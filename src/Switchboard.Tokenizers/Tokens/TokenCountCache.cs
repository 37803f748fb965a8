using System.Collections.Concurrent;

namespace Switchboard.Tokens;

/// <summary>
/// Token counts of texts seen recently, by their exact content. Chat requests repeat most of their text: the same
/// system prompt on every call, the whole conversation again on every turn; looking a text up costs a hash of it,
/// counting it costs the tokenizer's regex over it, tens of times more. Bounded in entries and in characters held
/// (texts are kept as keys): when either bound is passed the cache starts over, so a flood of distinct texts costs
/// at most one fill of memory.
/// </summary>
internal sealed class TokenCountCache(int maxEntries, long maxChars)
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _chars;

    public bool TryGet(string text, out int count) => _counts.TryGetValue(text, out count);

    public void Add(string text, int count)
    {
        if (text.Length > maxChars / 16)
        {
            // One huge text would evict everything else for a single entry.
            return;
        }

        if (_counts.Count >= maxEntries || Interlocked.Add(ref _chars, text.Length) > maxChars)
        {
            _counts.Clear();
            Interlocked.Exchange(ref _chars, text.Length);
        }

        _counts.TryAdd(text, count);
    }
}
