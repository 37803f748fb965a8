using System.Text;

namespace Switchboard.Client;

/// <summary>
/// Removes the reasoning blocks that local reasoning models (Qwen3, DeepSeek-R1 under LM Studio or Ollama) write into
/// the content: <c>&lt;think&gt;…&lt;/think&gt;</c>, a block left unclosed at the end (the rest is dropped), and the
/// whitespace right after a block. Tags are matched without regard to case and may be split across stream pieces.
/// </summary>
public sealed class ThinkBlockCleaner : IResponseCleaner
{
    private const string Open = "<think>";
    private const string Close = "</think>";

    /// <summary>The shared instance (the cleaner has no settings and no state of its own).</summary>
    public static ThinkBlockCleaner Instance { get; } = new();

    /// <inheritdoc />
    public string Clean(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.Contains('<', StringComparison.Ordinal))
        {
            return content;
        }

        // One state machine for whole answers and streams, so both give exactly the same text.
        var stream = new StreamCleaner();
        return stream.Append(content) + stream.Complete();
    }

    /// <inheritdoc />
    public IResponseStreamCleaner StartStream() => new StreamCleaner();

    private sealed class StreamCleaner : IResponseStreamCleaner
    {
        private readonly StringBuilder _pending = new();
        private bool _inside;
        private bool _skipWhitespace;

        public string Append(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            _pending.Append(text);
            return Drain(final: false);
        }

        public string Complete() => Drain(final: true);

        private string Drain(bool final)
        {
            var output = new StringBuilder();
            var pending = _pending.ToString();
            var position = 0;
            while (position < pending.Length)
            {
                if (_inside)
                {
                    var end = pending.IndexOf(Close, position, StringComparison.OrdinalIgnoreCase);
                    if (end < 0)
                    {
                        // Keep only what could be the start of a closing tag; the rest is reasoning.
                        position = final ? pending.Length : pending.Length - PartialTagLength(pending, position, Close);
                        break;
                    }

                    position = end + Close.Length;
                    _inside = false;
                    _skipWhitespace = true;
                    continue;
                }

                if (_skipWhitespace)
                {
                    while (position < pending.Length && char.IsWhiteSpace(pending[position]))
                    {
                        position++;
                    }

                    if (position == pending.Length)
                    {
                        break;
                    }

                    _skipWhitespace = false;
                }

                var start = pending.IndexOf(Open, position, StringComparison.OrdinalIgnoreCase);
                if (start < 0)
                {
                    var keep = final ? 0 : PartialTagLength(pending, position, Open);
                    output.Append(pending, position, pending.Length - position - keep);
                    position = pending.Length - keep;
                    break;
                }

                output.Append(pending, position, start - position);
                position = start + Open.Length;
                _inside = true;
            }

            _pending.Remove(0, position);
            if (final)
            {
                _pending.Clear();
            }

            return output.ToString();
        }

        /// <summary>How many characters at the end of <paramref name="text"/> (from <paramref name="from"/>) are a proper prefix of <paramref name="tag"/>.</summary>
        private static int PartialTagLength(string text, int from, string tag)
        {
            for (var length = Math.Min(tag.Length - 1, text.Length - from); length > 0; length--)
            {
                if (text.AsSpan(text.Length - length).Equals(tag.AsSpan(0, length), StringComparison.OrdinalIgnoreCase))
                {
                    return length;
                }
            }

            return 0;
        }
    }
}
