using System.Globalization;
using System.Text;
using Switchboard.Caching.Semantic;
using Switchboard.OpenAI;
using Switchboard.Text;

namespace Switchboard.Caching;

/// <summary>
/// What makes two requests "the same" for the caches. The exact key is the request's canonical hash
/// (<see cref="RequestHash"/>, SHA-256): the model after routing, every field that changes the answer (messages,
/// tools, response format, sampling parameters, unknown fields alike), written canonically (object keys sorted,
/// numbers by value, no spacing), without the fields that do not (<c>user</c>, <c>stream</c>,
/// <c>stream_options</c>, <c>metadata</c>, <c>store</c>, <c>prompt_cache_key</c>, <c>safety_identifier</c>,
/// <c>service_tier</c>).
/// </summary>
public static class CacheKeys
{
    /// <summary>Fields that do not change what the model answers.</summary>
    private static readonly IReadOnlySet<string> Ignored = new HashSet<string>(StringComparer.Ordinal)
    {
        "user", "stream", "stream_options", "metadata", "store", "prompt_cache_key", "safety_identifier", "service_tier",
    };

    /// <summary>The exact-cache key of a request for <paramref name="model"/> (the model after routing).</summary>
    public static string Exact(ChatCompletionRequest request, string model)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hash(request with { Model = model });
    }

    /// <summary>
    /// The semantic form of a request, or null when it has none: the last message must be the user's, with
    /// text only. The last user message and up to <paramref name="contextTurns"/> turns before it are the
    /// text compared by meaning; everything else (system prompt, older turns, tools, response format,
    /// parameters, model) is hashed into the scope and must match exactly.
    /// </summary>
    public static SemanticQuery? Semantic(ChatCompletionRequest request, string model, string cacheNamespace, int contextTurns)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = request.Messages;
        if (messages is not { Count: > 0 } || messages[^1] is not { Role: ChatRoles.User } last || !IsPlainText(last))
        {
            return null;
        }

        var windowStart = messages.Count - 1;
        var taken = 0;
        while (taken < contextTurns && windowStart > 0 && messages[windowStart - 1].Role is ChatRoles.User or ChatRoles.Assistant && IsPlainText(messages[windowStart - 1]))
        {
            windowStart--;
            taken++;
        }

        var text = new StringBuilder();
        for (var i = windowStart; i < messages.Count; i++)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(messages[i].Text);
        }

        // The turns before the window (system prompt included) stay in the request that is hashed; the
        // number of turns compared by meaning is part of the scope too.
        var scoped = request with { Model = model, Messages = [.. messages.Take(windowStart)], N = request.N };
        var scope = Hash(scoped, window: taken);
        return new SemanticQuery(cacheNamespace, model, scope, text.ToString());
    }

    private static bool IsPlainText(ChatMessage message) =>
        message.Content is { } content && (content.PlainText is not null || content.Parts!.All(p => p.Text is not null)) && message.ToolCalls is not { Count: > 0 };

    /// <summary>
    /// The request's canonical hash (<see cref="RequestHash"/>: keys sorted, numbers by value) without the fields in
    /// <see cref="Ignored"/>; <paramref name="window"/> (the turns compared by meaning) is part of a semantic scope.
    /// </summary>
    private static string Hash(ChatCompletionRequest request, int window = 0)
    {
        var hash = RequestHash.Compute(request, ReadOnlyMemory<byte>.Empty, ignored: Ignored);
        return window == 0 ? hash : string.Create(CultureInfo.InvariantCulture, $"{hash}/{window}");
    }
}
