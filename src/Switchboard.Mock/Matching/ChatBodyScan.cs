using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Matching;

/// <summary>
/// One pass over a chat request body of the plainest shape — an object with <c>model</c>, <c>messages</c> (objects
/// with a string <c>role</c> of system, developer, user or assistant and a string <c>content</c>) and optionally
/// <c>stream</c> as <c>true</c>/<c>false</c>, and the sampling numbers that do not change a mock's answer
/// (<c>temperature</c>, <c>top_p</c>, <c>max_tokens</c>, <c>max_completion_tokens</c>, without exponents) — that checks it as the full reader and the validator would and notes
/// where each message's content lies, without unescaping or decoding it. Anything else (another field, another
/// type, a duplicate key, an escape in a key, a role or the model, a value the validator refuses) gives null, and
/// the caller takes the full path, which then gives the same answer or error it always did.
/// </summary>
/// <remarks>
/// Why not <c>Utf8JsonReader</c>: once a string holds a backslash it checks the rest of that string byte by byte,
/// and a Rasa prompt is 7 KB of text with an escaped new line every few dozen bytes: 6 µs just to tokenize it here.
/// This scan jumps from escape to escape with a vectorized search. It refuses what the full reader's text check
/// refuses (<c>OpenAIRequestReader.CheckText</c>: text that is not UTF-8, a <c>\u</c> escape of a lone surrogate).
/// </remarks>
internal sealed class ChatBodyScan
{
    /// <summary>The validator's limit on model names (<c>ChatRequestValidator.MaxModelNameLength</c>).</summary>
    private const int MaxModelNameLength = 256;

    private ChatBodyScan(string model, bool stream, List<ScannedMessage> messages)
    {
        Model = model;
        Stream = stream;
        Messages = messages;
    }

    public string Model { get; }

    public bool Stream { get; }

    public IReadOnlyList<ScannedMessage> Messages { get; }

    /// <summary>
    /// One message: its role, where its content's JSON string (without the quotes) lies in the body, whether it holds
    /// escapes, and whether any of them is a <c>\u</c> escape.
    /// </summary>
    internal readonly record struct ScannedMessage(string Role, int Start, int Length, bool Escaped, bool UnicodeEscaped = false);

    /// <summary>The scan of <paramref name="json"/>, or null when it is not of the plain shape (or not valid).</summary>
    public static ChatBodyScan? TryScan(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return null;
        }

        var at = SkipSpace(json, 0);
        if (at >= json.Length || json[at] != (byte)'{')
        {
            return null;
        }

        string? model = null;
        bool? stream = null;
        List<ScannedMessage>? messages = null;
        var numbers = 0;
        at = SkipSpace(json, at + 1);
        if (at < json.Length && json[at] == (byte)'}')
        {
            return null;
        }

        while (true)
        {
            if (!TryReadKey(json, ref at, out var key))
            {
                return null;
            }

            switch (key)
            {
                case Key.Model when model is null:
                    if (!TryReadPlainString(json, ref at, out var name) || string.IsNullOrWhiteSpace(name) || name.Length > MaxModelNameLength)
                    {
                        return null;
                    }

                    model = name;
                    break;
                case Key.Messages when messages is null:
                    messages = TryReadMessages(json, ref at);
                    if (messages is null or { Count: 0 })
                    {
                        return null;
                    }

                    break;
                case Key.Stream when stream is null:
                    if (json[at..].StartsWith("true"u8))
                    {
                        stream = true;
                        at += 4;
                    }
                    else if (json[at..].StartsWith("false"u8))
                    {
                        stream = false;
                        at += 5;
                    }
                    else
                    {
                        return null;
                    }

                    break;
                // Checked as the validator checks them; each at most once (a second one is left to the full reader).
                case Key.Temperature when (numbers & 1) == 0 && TryReadNumber(json, ref at, integer: false, 0, 2):
                    numbers |= 1;
                    break;
                case Key.TopP when (numbers & 2) == 0 && TryReadNumber(json, ref at, integer: false, 0, 1):
                    numbers |= 2;
                    break;
                case Key.MaxTokens when (numbers & 4) == 0 && TryReadNumber(json, ref at, integer: true, 1, int.MaxValue):
                    numbers |= 4;
                    break;
                case Key.MaxCompletionTokens when (numbers & 8) == 0 && TryReadNumber(json, ref at, integer: true, 1, int.MaxValue):
                    numbers |= 8;
                    break;
                default:
                    return null;
            }

            at = SkipSpace(json, at);
            if (at >= json.Length)
            {
                return null;
            }

            if (json[at] == (byte)'}')
            {
                break;
            }

            if (json[at] != (byte)',')
            {
                return null;
            }

            at = SkipSpace(json, at + 1);
        }

        // Only white space may follow the object.
        if (SkipSpace(json, at + 1) != json.Length || model is null || messages is null)
        {
            return null;
        }

        return new ChatBodyScan(model, stream == true, messages);
    }

    /// <summary>
    /// The text of a JSON string's contents (between the quotes) as the full reader gives it. Only for contents this
    /// scan accepted: every escape is valid and no surrogate stands alone. <paramref name="destination"/> must be at least as
    /// long as <paramref name="source"/> (the text between escapes is copied in blocks).
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // The text between escapes is copied 32 bytes at a time, each block's backslashes found from one comparison: a
        // prompt has an escape every 15 bytes or so, and a search call per escape (IndexOf) cost more than the copying.
        var written = 0;
        var at = 0;
        while (true)
        {
            int slash;
            if (Vector256.IsHardwareAccelerated && at + Vector256<byte>.Count <= source.Length)
            {
                // Unescaping only shrinks text: written <= at, so the destination has room for the whole block.
                var block = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)at);
                var backslashes = Vector256.Equals(block, Vector256.Create((byte)'\\')).ExtractMostSignificantBits();
                if (backslashes == 0)
                {
                    block.CopyTo(destination[written..]);
                    at += Vector256<byte>.Count;
                    written += Vector256<byte>.Count;
                    continue;
                }

                slash = at + BitOperations.TrailingZeroCount(backslashes);
            }
            else
            {
                var found = source[at..].IndexOf((byte)'\\');
                if (found < 0)
                {
                    source[at..].CopyTo(destination[written..]);
                    return written + source.Length - at;
                }

                slash = at + found;
            }

            source[at..slash].CopyTo(destination[written..]);
            written += slash - at;
            var escape = source[slash + 1];
            if (escape != (byte)'u')
            {
                destination[written++] = escape switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'t' => (byte)'\t',
                    (byte)'r' => (byte)'\r',
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    _ => escape, // \" \\ \/
                };
                at = slash + 2;
                continue;
            }

            var unit = Hex4(source, slash + 2);
            var consumed = 6;
            int codePoint = unit;
            if (char.IsHighSurrogate((char)unit))
            {
                codePoint = char.ConvertToUtf32((char)unit, (char)Hex4(source, slash + 8));
                consumed = 12;
            }

            written += new Rune(codePoint).EncodeToUtf8(destination[written..]);
            at = slash + consumed;
        }
    }

    private static List<ScannedMessage>? TryReadMessages(ReadOnlySpan<byte> json, ref int at)
    {
        if (json[at] != (byte)'[')
        {
            return null;
        }

        var messages = new List<ScannedMessage>(4);
        at = SkipSpace(json, at + 1);
        if (at < json.Length && json[at] == (byte)']')
        {
            at++;
            return messages;
        }

        while (true)
        {
            if (at >= json.Length || json[at] != (byte)'{')
            {
                return null;
            }

            at = SkipSpace(json, at + 1);
            string? role = null;
            (int Start, int Length, Escapes Escapes)? content = null;
            while (true)
            {
                if (!TryReadKey(json, ref at, out var key))
                {
                    return null;
                }

                if (key == Key.Role && role is null)
                {
                    if (!TryReadRole(json, ref at, out role))
                    {
                        return null;
                    }
                }
                else if (key == Key.Content && content is null)
                {
                    if (json[at] != (byte)'"' || !TrySkipString(json, ref at, out var start, out var escapes))
                    {
                        return null;
                    }

                    content = (start, at - 1 - start, escapes);
                }
                else
                {
                    return null;
                }

                at = SkipSpace(json, at);
                if (at >= json.Length)
                {
                    return null;
                }

                if (json[at] == (byte)'}')
                {
                    break;
                }

                if (json[at] != (byte)',')
                {
                    return null;
                }

                at = SkipSpace(json, at + 1);
            }

            if (role is null || content is not { } text)
            {
                return null;
            }

            messages.Add(new ScannedMessage(role, text.Start, text.Length, text.Escapes != Escapes.None, (text.Escapes & Escapes.Unicode) != 0));
            at = SkipSpace(json, at + 1);
            if (at >= json.Length)
            {
                return null;
            }

            if (json[at] == (byte)']')
            {
                at++;
                return messages;
            }

            if (json[at] != (byte)',')
            {
                return null;
            }

            at = SkipSpace(json, at + 1);
        }
    }

    [Flags]
    private enum Escapes
    {
        None = 0,
        Short = 1,
        Unicode = 2,
    }

    private enum Key
    {
        Other,
        Model,
        Messages,
        Stream,
        Role,
        Content,
        Temperature,
        TopP,
        MaxTokens,
        MaxCompletionTokens,
    }

    // Reads "name" : and leaves `at` on the value. Keys with escapes are left to the full reader.
    private static bool TryReadKey(ReadOnlySpan<byte> json, ref int at, out Key key)
    {
        key = Key.Other;
        if (at >= json.Length || json[at] != (byte)'"' || !TrySkipString(json, ref at, out var start, out var escapes) || escapes != Escapes.None)
        {
            return false;
        }

        var name = json[start..(at - 1)];
        key = name.SequenceEqual("model"u8) ? Key.Model
            : name.SequenceEqual("messages"u8) ? Key.Messages
            : name.SequenceEqual("stream"u8) ? Key.Stream
            : name.SequenceEqual("role"u8) ? Key.Role
            : name.SequenceEqual("content"u8) ? Key.Content
            : name.SequenceEqual("temperature"u8) ? Key.Temperature
            : name.SequenceEqual("top_p"u8) ? Key.TopP
            : name.SequenceEqual("max_tokens"u8) ? Key.MaxTokens
            : name.SequenceEqual("max_completion_tokens"u8) ? Key.MaxCompletionTokens
            : Key.Other;
        at = SkipSpace(json, at);
        if (at >= json.Length || json[at] != (byte)':')
        {
            return false;
        }

        at = SkipSpace(json, at + 1);
        return at < json.Length;
    }

    // A string without escapes, decoded; false for anything else.
    private static bool TryReadPlainString(ReadOnlySpan<byte> json, ref int at, out string? value)
    {
        value = TryReadPlainContents(json, ref at, out var contents) ? Encoding.UTF8.GetString(contents) : null;
        return value is not null;
    }

    // A role without escapes, one of the four the scan accepts, as the shared constant (no string made per message).
    private static bool TryReadRole(ReadOnlySpan<byte> json, ref int at, out string? role)
    {
        role = null;
        if (!TryReadPlainContents(json, ref at, out var name))
        {
            return false;
        }

        role = name.SequenceEqual("user"u8) ? ChatRoles.User
            : name.SequenceEqual("system"u8) ? ChatRoles.System
            : name.SequenceEqual("assistant"u8) ? ChatRoles.Assistant
            : name.SequenceEqual("developer"u8) ? ChatRoles.Developer
            : null;
        return role is not null;
    }

    // The contents of a string without escapes at `at` (its opening quote), moving `at` past the closing one.
    private static bool TryReadPlainContents(ReadOnlySpan<byte> json, ref int at, out ReadOnlySpan<byte> contents)
    {
        contents = default;
        if (json[at] != (byte)'"' || !TrySkipString(json, ref at, out var start, out var escapes) || escapes != Escapes.None)
        {
            return false;
        }

        contents = json[start..(at - 1)];
        return true;
    }

    // From the opening quote at `at` to just past the closing one; `start` is the first byte of the contents. Looks at
    // 32 bytes at a time for the only bytes that matter inside a string (quote, backslash, raw control character) and
    // handles every one of a block from its bit mask: a Rasa prompt has an escape every 15 bytes or so, and searching
    // for each one anew (IndexOfAny per escape) cost more than reading the text.
    private static bool TrySkipString(ReadOnlySpan<byte> json, ref int at, out int start, out Escapes escaped)
    {
        start = at + 1;
        escaped = Escapes.None;
        var position = start;
        while (true)
        {
            int found;
            if (position + StringBlock.Size <= json.Length)
            {
                var block = position;
                var bits = StringBlock.Read(json, block);
                var mask = bits.Backslashes | bits.Quotes | bits.Controls;
                if (mask == 0)
                {
                    position += StringBlock.Size;
                    continue;
                }

                // Most blocks of a prompt hold only two-character escapes that end inside the block: then where each
                // escape is, and so which quote ends the string, follows from the masks alone.
                if ((bits.Backslashes & ((bits.Backslashes << 1) | 0x8000_0000u)) == 0 && ((bits.Backslashes << 1) & ~bits.ShortEscapes) == 0)
                {
                    var ends = bits.Quotes & ~(bits.Backslashes << 1);
                    if (ends == 0 && bits.Controls == 0)
                    {
                        escaped |= bits.Backslashes == 0 ? Escapes.None : Escapes.Short;
                        position += StringBlock.Size;
                        continue;
                    }

                    var end = BitOperations.TrailingZeroCount(ends);
                    var before = end == 32 ? uint.MaxValue : (1u << end) - 1;
                    if (ends != 0 && (bits.Controls & before) == 0)
                    {
                        escaped |= (bits.Backslashes & before) == 0 ? Escapes.None : Escapes.Short;
                        at = block + end + 1;
                        return true;
                    }
                }

                // Anything else (a \u escape, an escaped backslash, one across the block's end, a control character):
                // each quote, backslash and control character in turn.
                found = block + BitOperations.TrailingZeroCount(mask);
                while (true)
                {
                    int next;
                    if (json[found] == (byte)'\\' && found + 1 < json.Length && IsShortEscape(json[found + 1]))
                    {
                        // The common case, read here: \n, \", \\ and the like.
                        escaped |= Escapes.Short;
                        next = found + 2;
                    }
                    else
                    {
                        next = SkipSpecial(json, found, ref at, ref escaped);
                        if (next <= 0)
                        {
                            // The string ended (1 past its quote went to `at`) or is not valid.
                            return next == 0;
                        }
                    }

                    // Bits below `next` are the escape just read (a quote or backslash it holds) or before it.
                    var consumed = next - block;
                    mask = consumed >= StringBlock.Size ? 0 : mask & (uint.MaxValue << consumed);
                    if (mask == 0)
                    {
                        position = Math.Max(next, block + StringBlock.Size);
                        break;
                    }

                    found = block + BitOperations.TrailingZeroCount(mask);
                }

                continue;
            }

            found = position;
            while (found < json.Length && json[found] is not ((byte)'"' or (byte)'\\' or < 0x20))
            {
                found++;
            }

            if (found == json.Length)
            {
                return false;
            }

            var after = SkipSpecial(json, found, ref at, ref escaped);
            if (after <= 0)
            {
                return after == 0;
            }

            position = after;
        }
    }

    // The characters of the two-character escapes: " \\ / b f n r t.
    private static bool IsShortEscape(byte next) => next is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t';

    // The quote, backslash or control character at `found`: 0 after the closing quote (`at` set past it), -1 for
    // anything the full reader refuses, else the position after a valid escape.
    private static int SkipSpecial(ReadOnlySpan<byte> json, int found, ref int at, ref Escapes escaped)
    {
        switch (json[found])
        {
            case (byte)'"':
                at = found + 1;
                return 0;
            case (byte)'\\':
                escaped |= Escapes.Short;
                if (found + 1 >= json.Length)
                {
                    return -1;
                }

                switch (json[found + 1])
                {
                    case var next when IsShortEscape(next):
                        return found + 2;
                    case (byte)'u' when found + 5 < json.Length && Hex4(json, found + 2) is var unit and >= 0 && !char.IsLowSurrogate((char)unit):
                        escaped |= Escapes.Unicode;
                        if (!char.IsHighSurrogate((char)unit))
                        {
                            return found + 6;
                        }

                        // A high surrogate only with its low half right after it, as the full reader's text check requires.
                        if (found + 11 < json.Length && json[found + 6] == (byte)'\\' && json[found + 7] == (byte)'u'
                            && Hex4(json, found + 8) is var low and >= 0 && char.IsLowSurrogate((char)low))
                        {
                            return found + 12;
                        }

                        return -1;
                    default:
                        return -1;
                }

            default:
                // A raw control character is not valid JSON.
                return -1;
        }
    }

    // A JSON number in [min, max] without an exponent (those, and anything odd, are left to the full reader); an
    // integer one without a fraction, as an int property reads it.
    private static bool TryReadNumber(ReadOnlySpan<byte> json, ref int at, bool integer, double min, double max)
    {
        var i = at;
        if (i < json.Length && json[i] == (byte)'-')
        {
            i++;
        }

        var digits = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        if (i == digits || (i - digits > 1 && json[digits] == (byte)'0'))
        {
            return false;
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            var fraction = ++i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            {
                i++;
            }

            if (integer || i == fraction)
            {
                return false;
            }
        }

        if ((i < json.Length && json[i] is (byte)'e' or (byte)'E') || i - at > 24
            || !double.TryParse(json[at..i], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            return false;
        }

        at = i;
        return true;
    }

    private static int Hex4(ReadOnlySpan<byte> json, int start)
    {
        var value = 0;
        for (var i = start; i < start + 4; i++)
        {
            int digit = json[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => json[i] - '0',
                >= (byte)'a' and <= (byte)'f' => json[i] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => json[i] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    // The bytes that end or interrupt a JSON string's plain run, 32 at a time: one 256-bit comparison where the
    // hardware has it, two 128-bit ones elsewhere (ARM64, older x64), a plain loop without vectors.
    private static class StringBlock
    {
        public const int Size = 32;

        /// <summary>Bit i of each mask is about json[block + i]; json has Size bytes from block on.</summary>
        /// <param name="Backslashes">Backslashes.</param>
        /// <param name="Quotes">Double quotes.</param>
        /// <param name="Controls">Bytes below 0x20.</param>
        /// <param name="ShortEscapes">What may follow a backslash in a two-character escape other than a backslash: " / b f n r t.</param>
        public readonly record struct Masks(uint Backslashes, uint Quotes, uint Controls, uint ShortEscapes);

        public static Masks Read(ReadOnlySpan<byte> json, int block)
        {
            ref var first = ref Unsafe.Add(ref MemoryMarshal.GetReference(json), block);
            if (Vector256.IsHardwareAccelerated)
            {
                return Read(Vector256.LoadUnsafe(ref first));
            }

            if (Vector128.IsHardwareAccelerated)
            {
                var low = Read(Vector128.LoadUnsafe(ref first));
                var high = Read(Vector128.LoadUnsafe(ref first, 16));
                return new Masks(
                    low.Backslashes | (high.Backslashes << 16),
                    low.Quotes | (high.Quotes << 16),
                    low.Controls | (high.Controls << 16),
                    low.ShortEscapes | (high.ShortEscapes << 16));
            }

            uint backslashes = 0, quotes = 0, controls = 0, shortEscapes = 0;
            for (var i = 0; i < Size; i++)
            {
                var bit = 1u << i;
                switch (json[block + i])
                {
                    case (byte)'\\':
                        backslashes |= bit;
                        break;
                    case (byte)'"':
                        quotes |= bit;
                        shortEscapes |= bit;
                        break;
                    case < 0x20:
                        controls |= bit;
                        break;
                    case (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                        shortEscapes |= bit;
                        break;
                }
            }

            return new Masks(backslashes, quotes, controls, shortEscapes);
        }

        private static Masks Read(Vector256<byte> bytes)
        {
            var quotes = Vector256.Equals(bytes, Vector256.Create((byte)'"'));
            var shortEscapes = quotes | Vector256.Equals(bytes, Vector256.Create((byte)'/'))
                | Vector256.Equals(bytes, Vector256.Create((byte)'b')) | Vector256.Equals(bytes, Vector256.Create((byte)'f'))
                | Vector256.Equals(bytes, Vector256.Create((byte)'n')) | Vector256.Equals(bytes, Vector256.Create((byte)'r'))
                | Vector256.Equals(bytes, Vector256.Create((byte)'t'));
            return new Masks(
                Vector256.Equals(bytes, Vector256.Create((byte)'\\')).ExtractMostSignificantBits(),
                quotes.ExtractMostSignificantBits(),
                Vector256.LessThan(bytes, Vector256.Create((byte)0x20)).ExtractMostSignificantBits(),
                shortEscapes.ExtractMostSignificantBits());
        }

        private static Masks Read(Vector128<byte> bytes)
        {
            var quotes = Vector128.Equals(bytes, Vector128.Create((byte)'"'));
            var shortEscapes = quotes | Vector128.Equals(bytes, Vector128.Create((byte)'/'))
                | Vector128.Equals(bytes, Vector128.Create((byte)'b')) | Vector128.Equals(bytes, Vector128.Create((byte)'f'))
                | Vector128.Equals(bytes, Vector128.Create((byte)'n')) | Vector128.Equals(bytes, Vector128.Create((byte)'r'))
                | Vector128.Equals(bytes, Vector128.Create((byte)'t'));
            return new Masks(
                Vector128.Equals(bytes, Vector128.Create((byte)'\\')).ExtractMostSignificantBits(),
                quotes.ExtractMostSignificantBits(),
                Vector128.LessThan(bytes, Vector128.Create((byte)0x20)).ExtractMostSignificantBits(),
                shortEscapes.ExtractMostSignificantBits());
        }
    }

    private static int SkipSpace(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && json[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            at++;
        }

        return at;
    }
}
