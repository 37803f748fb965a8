using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
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
    public static void Write(Admission admission, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(headers);
        if (admission.Requests is { } requests)
        {
            headers[LimitRequests] = Number(requests.Limit);
            headers[RemainingRequests] = Number(requests.Remaining);
            headers[ResetRequests] = Duration(requests.Reset);
        }

        if (admission.Tokens is { } tokens)
        {
            headers[LimitTokens] = Number(tokens.Limit);
            headers[RemainingTokens] = Number(tokens.Remaining);
            headers[ResetTokens] = Duration(tokens.Reset);
        }
    }

    /// <summary>Adds the headers for the dimensions that had a limit straight onto an HTTP answer.</summary>
    public static void Write(Admission admission, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(headers);
        if (admission.Requests is { } requests)
        {
            headers[LimitRequests] = Number(requests.Limit);
            headers[RemainingRequests] = Number(requests.Remaining);
            headers[ResetRequests] = Duration(requests.Reset);
        }

        if (admission.Tokens is { } tokens)
        {
            headers[LimitTokens] = Number(tokens.Limit);
            headers[RemainingTokens] = Number(tokens.Remaining);
            headers[ResetTokens] = Duration(tokens.Reset);
        }
    }

    /// <summary>
    /// A count as text, from a small cache: a limit is the same number on every answer, and what remains of it stays
    /// near one value under a steady load, so most answers need no new string.
    /// </summary>
    internal static string Number(long value) => Numbers.Get(value, static v => v.ToString(CultureInfo.InvariantCulture));

    /// <summary><see cref="FormatDuration"/> from a small cache keyed by the whole milliseconds it shows.</summary>
    internal static string Duration(TimeSpan duration)
    {
        var ms = WholeMilliseconds(duration);
        return ms == 0 ? "0s" : Durations.Get(ms, static m => FormatMilliseconds(m));
    }

    /// <summary>A duration as OpenAI (and Go) write it: <c>0s</c>, <c>250ms</c>, <c>1.5s</c>, <c>6m0s</c>, <c>1h2m3s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        return FormatMilliseconds(WholeMilliseconds(duration));
    }

    private static long WholeMilliseconds(TimeSpan duration) => (long)Math.Ceiling(Math.Max(0, duration.TotalMilliseconds));

    private static string FormatMilliseconds(long ms)
    {
        if (ms == 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder(12);
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms % 60_000 / 1000.0;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return text.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
