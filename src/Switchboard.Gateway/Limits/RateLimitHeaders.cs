using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Switchboard.Limits;

namespace Switchboard.Gateway.Limits;

/// <summary>
/// The OpenAI rate-limit headers: <c>x-ratelimit-limit-requests</c>, <c>-remaining-requests</c>,
/// <c>-reset-requests</c> and the three <c>-tokens</c> ones, from the tightest limit that applied. Resets are
/// written as OpenAI writes them: <c>1s</c>, <c>6m0s</c>, <c>250ms</c>.
/// </summary>
public static class RateLimitHeaders
{
    private static readonly TextCache Numbers = new();
    private static readonly TextCache Durations = new();

    public const string LimitRequests = "x-ratelimit-limit-requests";
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string LimitTokens = "x-ratelimit-limit-tokens";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetTokens = "x-ratelimit-reset-tokens";

    /// <summary>Adds the headers for the dimensions that had a limit.</summary>
    public static void Write(Admission admission, IDictionary<string, string> headers) => Write(admission, headers, static text => text);

    /// <summary>Adds the headers for the dimensions that had a limit straight onto an HTTP answer.</summary>
    public static void Write(Admission admission, IHeaderDictionary headers) => Write<StringValues>(admission, headers, static text => text);

    private static void Write<TValue>(Admission admission, IDictionary<string, TValue> headers, Func<string, TValue> value)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(headers);
        if (admission.Requests is { } requests)
        {
            headers[LimitRequests] = value(Number(requests.Limit));
            headers[RemainingRequests] = value(Number(requests.Remaining));
            headers[ResetRequests] = value(Duration(requests.Reset));
        }

        if (admission.Tokens is { } tokens)
        {
            headers[LimitTokens] = value(Number(tokens.Limit));
            headers[RemainingTokens] = value(Number(tokens.Remaining));
            headers[ResetTokens] = value(Duration(tokens.Reset));
        }
    }

    /// <summary>
    /// A count as text, from a small cache: a limit is the same number on every answer, and what remains of it often
    /// repeats under a steady load, so many answers need no new string.
    /// </summary>
    internal static string Number(long value) => Numbers.Get(value, static (v, destination) => v.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture) ? written : 0);

    /// <summary><see cref="FormatDuration"/> from a small cache keyed by the whole milliseconds it shows.</summary>
    internal static string Duration(TimeSpan duration) => Durations.Get(WholeMilliseconds(duration), FormatMilliseconds);

    /// <summary>A duration as OpenAI (and Go) write it: <c>0s</c>, <c>250ms</c>, <c>1.5s</c>, <c>6m0s</c>, <c>1h2m3s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        Span<char> text = stackalloc char[TextCache.MaxLength];
        return new string(text[..FormatMilliseconds(WholeMilliseconds(duration), text)]);
    }

    private static long WholeMilliseconds(TimeSpan duration) => (long)Math.Ceiling(Math.Max(0, duration.TotalMilliseconds));

    /// <summary>Writes <paramref name="ms"/> as a duration into <paramref name="text"/> (room for <see cref="TextCache.MaxLength"/>); returns its length.</summary>
    private static int FormatMilliseconds(long ms, Span<char> text)
    {
        if (ms == 0)
        {
            "0s".CopyTo(text);
            return 2;
        }

        int written;
        if (ms < 1000)
        {
            ms.TryFormat(text, out written, default, CultureInfo.InvariantCulture);
            "ms".CopyTo(text[written..]);
            return written + 2;
        }

        var length = 0;
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms % 60_000 / 1000.0;
        if (hours > 0)
        {
            hours.TryFormat(text, out written, default, CultureInfo.InvariantCulture);
            length = written;
            text[length++] = 'h';
        }

        if (hours > 0 || minutes > 0)
        {
            minutes.TryFormat(text[length..], out written, default, CultureInfo.InvariantCulture);
            length += written;
            text[length++] = 'm';
        }

        seconds.TryFormat(text[length..], out written, "0.###", CultureInfo.InvariantCulture);
        length += written;
        text[length++] = 's';
        return length;
    }
}
