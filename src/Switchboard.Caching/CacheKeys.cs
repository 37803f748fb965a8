using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Caching.Semantic;
using Switchboard.OpenAI;

namespace Switchboard.Caching;

/// <summary>
/// What makes two requests "the same" for the caches. The exact key is a SHA-256 of the normalized request:
/// the model after routing, every field that changes the answer (messages, tools, response format, sampling
/// parameters, unknown fields alike), written canonically (object keys sorted, no spacing), without the
/// fields that do not (<c>user</c>, <c>stream</c>, <c>stream_options</c>, <c>metadata</c>, <c>store</c>).
/// </summary>
public static class CacheKeys
{
    /// <summary>Fields that do not change what the model answers.</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
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
        var scope = Hash(scoped, extra: taken);
        return new SemanticQuery(cacheNamespace, model, scope, text.ToString());
    }

    private static bool IsPlainText(ChatMessage message) =>
        message.Content is { } content && (content.PlainText is not null || content.Parts!.All(p => p.Text is not null)) && message.ToolCalls is not { Count: > 0 };

    private static string Hash(ChatCompletionRequest request, int extra = 0)
    {
        var element = JsonSerializer.SerializeToElement(request, OpenAIJsonContext.Default.ChatCompletionRequest);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject().Where(p => !Ignored.Contains(p.Name) && p.Value.ValueKind != JsonValueKind.Null).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                writer.WritePropertyName(property.Name);
                WriteCanonical(writer, property.Value);
            }

            writer.WriteNumber("~window", extra);
            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
