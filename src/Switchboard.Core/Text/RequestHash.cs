using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Text;

/// <summary>
/// One canonical hash of a request: SHA-256 over its canonical JSON (<see cref="CanonicalJson"/>) with the model
/// replaced by the one it resolved to and the fields that do not change the answer left out. Two requests that
/// ask the same thing, however the client spelt, ordered or spaced them, hash the same; what keys a cache or
/// names a recording.
/// </summary>
public static class RequestHash
{
    /// <summary>
    /// Top-level fields of a chat request that do not change what the model answers: who asks (<c>user</c>,
    /// <c>metadata</c>, <c>store</c>, <c>service_tier</c>) and how the answer travels (<c>stream</c>,
    /// <c>stream_options</c>).
    /// </summary>
    public static IReadOnlySet<string> NotAffectingTheAnswer { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "user", "stream", "stream_options", "metadata", "store", "service_tier",
    };

    /// <summary>
    /// The hash of a request body (a JSON object), as 64 lower-case hex digits. <paramref name="model"/>, when given,
    /// stands in for the body's <c>model</c> (the model after aliases and routing rules); <paramref name="ignored"/>
    /// names top-level fields to leave out (default: <see cref="NotAffectingTheAnswer"/>).
    /// </summary>
    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static string Compute(ReadOnlyMemory<byte> requestJson, string? model = null, IReadOnlySet<string>? ignored = null)
    {
        using var document = JsonDocument.Parse(requestJson);
        return Compute(document.RootElement, model, ignored);
    }

    /// <summary>The hash of a request already parsed; see <see cref="Compute(ReadOnlyMemory{byte}, string?, IReadOnlySet{string}?)"/>.</summary>
    public static string Compute(JsonElement request, string? model = null, IReadOnlySet<string>? ignored = null)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A request is a JSON object.");
        }

        ignored ??= NotAffectingTheAnswer;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (model is not null)
            {
                // Sorted with the rest: "model" is written where the canonical order puts it.
                CanonicalJson.WriteProperties(writer, WithModel(request, model), name => ignored.Contains(name));
            }
            else
            {
                CanonicalJson.WriteProperties(writer, request, name => ignored.Contains(name));
            }

            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>
    /// The hash of a chat request: its client's bytes when it still has them, else the request serialized (a stage
    /// changed it); see <see cref="Compute(ReadOnlyMemory{byte}, string?, IReadOnlySet{string}?)"/>.
    /// </summary>
    public static string Compute(ChatCompletionRequest request, ReadOnlyMemory<byte> clientJson, string? model = null, IReadOnlySet<string>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = clientJson.IsEmpty ? JsonSerializer.SerializeToUtf8Bytes(request, OpenAIJsonContext.Default.ChatCompletionRequest) : clientJson;
        return Compute(json, model, ignored);
    }

    private static JsonElement WithModel(JsonElement request, string model)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in request.EnumerateObject())
            {
                if (!property.NameEquals("model"))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteString("model", model);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
