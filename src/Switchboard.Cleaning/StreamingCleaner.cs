using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Cleaning;

/// <summary>
/// Cleans one reply as it streams. Each <see cref="Push"/> returns what can be shown now; text that may still turn
/// out to be a tag or a prefix (a trailing <c>&lt;thi</c>, the first few characters of a line) is held back until
/// the next delta decides it, never longer than <see cref="ResponseCleanerOptions.MaxLineHoldBack"/> characters of
/// content. Not thread-safe: one instance per reply.
/// </summary>
public sealed class StreamingCleaner
{
    private const int ExtraPatternLineLimit = 4096;

    private readonly ResponseCleaner _cleaner;
    private readonly Regex? _ownName;
    private readonly Regex? _otherSpeaker;
    private readonly int _prefixDecisionLength;

    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _line = new();
    private readonly StringBuilder _heldWhitespace = new();
    private readonly StringBuilder _content = new();
    private readonly StringBuilder _reasoning = new();

    private bool _inReasoning;
    private bool _cut;
    private bool _lineOpen = true;
    private bool _droppingLine;
    private bool _startOfReply = true;
    private bool _completed;

    internal StreamingCleaner(ResponseCleaner cleaner, CleaningContext context, bool startsInReasoning)
    {
        _cleaner = cleaner;
        _inReasoning = startsInReasoning && cleaner.Options.StripReasoning;
        var options = cleaner.Options;
        string[] ownNames = ["assistant", .. context.AssistantNames];
        if (options.StripSpeakerPrefix)
        {
            _ownName = cleaner.SpeakerPrefix(ownNames);
        }

        var others = context.OtherSpeakers.Where(o => !ownNames.Contains(o.Trim(), StringComparer.OrdinalIgnoreCase)).ToArray();
        if (options.CutAtOtherSpeaker && others.Length > 0)
        {
            _otherSpeaker = cleaner.SpeakerPrefix(others);
        }

        // A line can be decided once it is longer than any prefix it could start with ("internal monologue:", a name).
        var longestName = ownNames.Concat(others).Select(n => n.Length).DefaultIfEmpty(0).Max();
        _prefixDecisionLength = Math.Min(options.MaxLineHoldBack, Math.Max(longestName, "internal monologue".Length) + 4);
    }

    /// <summary>Cleans the next delta; returns what can be shown now (possibly nothing).</summary>
    public CleanedText Push(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ObjectDisposedException.ThrowIf(_completed, this);
        if (delta.Length > 0)
        {
            _pending.Append(delta);
            ScanTags(final: false);
        }

        return Take();
    }

    /// <summary>Ends the reply: releases what was held back (an unclosed reasoning block stays reasoning) and drops trailing whitespace.</summary>
    public CleanedText Complete()
    {
        if (_completed)
        {
            return CleanedText.Empty;
        }

        _completed = true;
        ScanTags(final: true);
        if (_lineOpen && _line.Length > 0)
        {
            DecideLine();
        }

        _heldWhitespace.Clear();
        return Take();
    }

    private CleanedText Take()
    {
        if (_content.Length == 0 && _reasoning.Length == 0)
        {
            return CleanedText.Empty;
        }

        var result = new CleanedText(_content.ToString(), _reasoning.ToString());
        _content.Clear();
        _reasoning.Clear();
        return result;
    }

    private void ScanTags(bool final)
    {
        while (_pending.Length > 0)
        {
            var text = _pending.ToString();
            if (_inReasoning)
            {
                var (closeAt, close) = Earliest(text, _cleaner.CloseTags, StringComparison.OrdinalIgnoreCase);
                if (close is not null)
                {
                    _reasoning.Append(text, 0, closeAt);
                    _pending.Remove(0, closeAt + close.Length);
                    _inReasoning = false;
                    continue;
                }

                var keep = final ? 0 : PartialTagSuffix(text);
                _reasoning.Append(text, 0, text.Length - keep);
                _pending.Remove(0, text.Length - keep);
                return;
            }

            var (at, token) = NextSpecial(text);
            if (token is null)
            {
                var keep = final ? 0 : PartialTagSuffix(text);
                Content(text[..^keep]);
                _pending.Remove(0, _cut ? _pending.Length : text.Length - keep);
                return;
            }

            Content(text[..at]);
            if (_cut)
            {
                _pending.Clear();
                return;
            }

            if (!final && IsPrefixOfAny(text.AsSpan(at), _cleaner.RoleTags, StringComparison.Ordinal))
            {
                // "<|im_start|>" may still become "<|im_start|>assistant\n": wait for the next delta.
                _pending.Remove(0, at);
                return;
            }

            _pending.Remove(0, at + token.Length);
            if (Contains(_cleaner.OpenTags, token))
            {
                _inReasoning = true;
            }
            else if (Contains(_cleaner.CloseTags, token) && _startOfReply)
            {
                // A closing tag with no opening one: the chat template opened the block in the prompt, so what came
                // before it (still held, since nothing visible has been shown) was reasoning.
                _reasoning.Append(_line).Append(_heldWhitespace);
                _line.Clear();
                _heldWhitespace.Clear();
                _lineOpen = true;
            }
        }
    }

    private (int At, string? Token) NextSpecial(string text)
    {
        // Every tag starts with '<' or '['; most deltas have neither and need no further search.
        if (text.AsSpan().IndexOfAny('<', '[') < 0)
        {
            return (-1, null);
        }

        var best = (At: -1, Token: (string?)null);
        Consider(ref best, Earliest(text, _cleaner.OpenTags, StringComparison.OrdinalIgnoreCase));
        Consider(ref best, Earliest(text, _cleaner.CloseTags, StringComparison.OrdinalIgnoreCase));
        Consider(ref best, Earliest(text, _cleaner.RoleTags, StringComparison.Ordinal));
        return best;

        static void Consider(ref (int At, string? Token) best, (int At, string? Token) candidate)
        {
            if (candidate.Token is not null && (best.Token is null || candidate.At < best.At || (candidate.At == best.At && candidate.Token.Length > best.Token.Length)))
            {
                best = candidate;
            }
        }
    }

    private static (int At, string? Token) Earliest(string text, IReadOnlyList<string> tokens, StringComparison comparison)
    {
        var best = (At: -1, Token: (string?)null);
        foreach (var token in tokens)
        {
            var at = text.IndexOf(token, comparison);
            if (at >= 0 && (best.Token is null || at < best.At || (at == best.At && token.Length > best.Token.Length)))
            {
                best = (at, token);
            }
        }

        return best;
    }

    /// <summary>How many characters at the end of <paramref name="text"/> could be the start of a tag still to come.</summary>
    private int PartialTagSuffix(string text)
    {
        var from = Math.Max(0, text.Length - _cleaner.MaxTokenLength + 1);
        var start = text.AsSpan(from).IndexOfAny('<', '[');
        if (start < 0)
        {
            return 0;
        }

        for (var i = from + start; i < text.Length; i++)
        {
            var tail = text.AsSpan(i);
            if (tail[0] is not ('<' or '['))
            {
                continue;
            }

            if (IsPrefixOfAny(tail, _inReasoning ? _cleaner.CloseTags : _cleaner.OpenTags, StringComparison.OrdinalIgnoreCase)
                || (!_inReasoning && (IsPrefixOfAny(tail, _cleaner.CloseTags, StringComparison.OrdinalIgnoreCase) || IsPrefixOfAny(tail, _cleaner.RoleTags, StringComparison.Ordinal))))
            {
                return text.Length - i;
            }
        }

        return 0;
    }

    private static bool IsPrefixOfAny(ReadOnlySpan<char> tail, IReadOnlyList<string> tokens, StringComparison comparison)
    {
        foreach (var token in tokens)
        {
            if (tail.Length < token.Length && token.AsSpan().StartsWith(tail, comparison))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> tokens, string token)
    {
        foreach (var candidate in tokens)
        {
            if (ReferenceEquals(candidate, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Content outside reasoning blocks and tags, line by line through the prefix rules.</summary>
    private void Content(string text)
    {
        var rest = text.AsSpan();
        while (rest.Length > 0 && !_cut)
        {
            var newline = rest.IndexOf('\n');
            if (_droppingLine)
            {
                if (newline < 0)
                {
                    return;
                }

                rest = rest[(newline + 1)..];
                _droppingLine = false;
                _lineOpen = true;
                continue;
            }

            if (!_lineOpen)
            {
                var piece = newline < 0 ? rest : rest[..(newline + 1)];
                Visible(piece);
                rest = rest[piece.Length..];
                _lineOpen = newline >= 0;
                continue;
            }

            var take = newline < 0 ? rest : rest[..(newline + 1)];
            _line.Append(take);
            rest = rest[take.Length..];
            if (newline >= 0 || CanDecide())
            {
                DecideLine();
            }
        }
    }

    private bool CanDecide()
    {
        if (_cleaner.HasExtraPatterns)
        {
            return _line.Length >= ExtraPatternLineLimit;
        }

        var line = _line.ToString().AsSpan().TrimStart();
        if (line.Length == 0)
        {
            return false;
        }

        if (line.Length >= _cleaner.Options.MaxLineHoldBack)
        {
            return true;
        }

        // Asides and actions end with their closing bracket or asterisk; names and monologue labels are short and
        // end with a colon.
        return line[0] switch
        {
            '(' or '[' => line.IndexOfAny(')', ']') >= 0,
            '*' when !line.StartsWith("**") => line.Length > 1 && line[1..].Contains('*'),
            _ => line.Contains(':') || line.Length >= _prefixDecisionLength,
        };
    }

    private void DecideLine()
    {
        var line = _line.ToString();
        _line.Clear();
        var endsLine = line.EndsWith('\n');
        _lineOpen = false;
        if (_cleaner.HasExtraPatterns)
        {
            line = _cleaner.ApplyExtraPatterns(line);
        }

        if (_startOfReply && _cleaner.Options.StripSpeakerPrefix)
        {
            if (ResponseCleaner.IsMonologueLine(line))
            {
                _droppingLine = !endsLine;
                _lineOpen = endsLine;
                return;
            }

            line = ResponseCleaner.StripMonologueOpening(line);
        }
        else if (_otherSpeaker is not null && ResponseCleaner.SafeIsMatch(_otherSpeaker, line))
        {
            _cut = true;
            _heldWhitespace.Clear();
            return;
        }

        if (_ownName is not null)
        {
            line = ResponseCleaner.SafeReplace(_ownName, line);
        }

        Visible(line);
        _lineOpen = endsLine;
    }

    /// <summary>Shows text, trimming the reply's leading whitespace and holding trailing whitespace until more text follows.</summary>
    private void Visible(ReadOnlySpan<char> text)
    {
        if (_startOfReply)
        {
            text = text.TrimStart();
        }

        if (text.Length == 0)
        {
            return;
        }

        var body = text.TrimEnd();
        if (body.Length == 0)
        {
            _heldWhitespace.Append(text);
            return;
        }

        _content.Append(_heldWhitespace).Append(body);
        _heldWhitespace.Clear().Append(text[body.Length..]);
        _startOfReply = false;
    }
}
