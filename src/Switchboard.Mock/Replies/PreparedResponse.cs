using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Mock.Fixtures;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Mock.Replies;

/// <summary>
/// What a fixture response answers that does not depend on the request, worked out once when the fixture is
/// loaded: a saved body read into a completion, the bytes a plain answer sends (the saved body as saved), and,
/// on first use, the whole event stream of an answer that nothing paces or breaks.
/// </summary>
internal sealed class PreparedResponse
{
    private const string DefaultModel = "mock";

    // Non-ASCII text as itself, as every JSON body and event of the server is written.
    private static readonly JsonSerializerOptions RelaxedNodeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions EventWriterOptions = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FixtureResponse _response;
    private byte[]? _stream;
    private byte[]? _streamWithUsage;

    public PreparedResponse(FixtureResponse response)
    {
        _response = response;
        if (response.Body is not { } body)
        {
            return;
        }

        if (ReadSaved(body) is { } saved)
        {
            (Saved, SavedJson, NeedsFreshId) = saved;
        }
        else
        {
            SavedText = TextOfSavedBody(body);
        }
    }

    /// <summary>The saved body as a completion (what was missing filled in); null when the body is not one.</summary>
    public ChatCompletionResponse? Saved { get; }

    /// <summary>
    /// The bytes of <see cref="Saved"/> to send: the saved body itself when it lacked nothing, else the saved JSON
    /// with what was missing added (every saved field and <c>null</c> kept). Empty when <see cref="NeedsFreshId"/>.
    /// </summary>
    public ReadOnlyMemory<byte> SavedJson { get; }

    /// <summary>The saved body has no <c>id</c>: each answer gets a new one, so its bytes cannot be made in advance.</summary>
    public bool NeedsFreshId { get; }

    /// <summary>The answer's text when the saved body is not a whole completion (a string, <c>{"content": ...}</c>, ...).</summary>
    public string? SavedText { get; }

    /// <summary>
    /// Whether a stream of <paramref name="completion"/> is the same bytes every time: the saved completion itself
    /// (fixed id and time), no pacing and no fault.
    /// </summary>
    public bool CanPrepareStream(ChatCompletionResponse completion) =>
        ReferenceEquals(completion, Saved) && !NeedsFreshId
        && _response.Stream.TimeToFirstToken <= TimeSpan.Zero && _response.Stream.TokensPerSecond is not > 0
        && _response.Fault is { MalformedChunk: null, DropAfterChunks: null, DropConnection: false };

    /// <summary>The whole SSE body of <see cref="Saved"/>, <c>[DONE]</c> included, made on first use; see <see cref="CanPrepareStream"/>.</summary>
    public ReadOnlyMemory<byte> StreamBytes(bool includeUsage)
    {
        if (includeUsage)
        {
            return _streamWithUsage ??= WriteStream(Saved!, _response.Stream.ChunkSize, includeUsage: true);
        }

        return _stream ??= WriteStream(Saved!, _response.Stream.ChunkSize, includeUsage: false);
    }

    /// <summary>
    /// The events of a stream as the server writes them one by one (<c>data: {json}</c>, a blank line, and
    /// <c>data: [DONE]</c> at the end), with the same serializer contract and encoder.
    /// </summary>
    internal static byte[] WriteStream(ChatCompletionResponse completion, int tokensPerChunk, bool includeUsage)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(buffer, EventWriterOptions);
        foreach (var (chunk, _) in MockResponder.BuildChunks(completion, tokensPerChunk, includeUsage))
        {
            buffer.Write("data: "u8);
            json.Reset(buffer);
            JsonSerializer.Serialize(json, chunk, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
            json.Flush();
            buffer.Write("\n\n"u8);
        }

        buffer.Write("data: [DONE]\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static (ChatCompletionResponse Completion, ReadOnlyMemory<byte> Json, bool NeedsFreshId)? ReadSaved(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("choices", out var choices)
            || choices.ValueKind != JsonValueKind.Array
            || choices.GetArrayLength() == 0
            || choices.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("message", out _)))
        {
            return null;
        }

        // A saved body may leave out what a client needs (id, model, finish_reason); fill it in, keep the rest as saved.
        var node = JsonNode.Parse(body.GetRawText())!.AsObject();
        var needsFreshId = !node.ContainsKey("id");
        var changed = needsFreshId;
        changed |= node.TryAdd("object", "chat.completion");
        changed |= node.TryAdd("created", 0);
        if (node["model"] is not JsonValue)
        {
            node["model"] = DefaultModel;
            changed = true;
        }

        var index = 0;
        foreach (var choice in node["choices"]!.AsArray())
        {
            var item = choice!.AsObject();
            changed |= item.TryAdd("index", index++);
            if (item["finish_reason"] is null)
            {
                item["finish_reason"] = item["message"]?["tool_calls"] is JsonArray { Count: > 0 } ? "tool_calls" : "stop";
                changed = true;
            }
        }

        ChatCompletionResponse? completion;
        try
        {
            // The id is only there to read the rest; an answer that needs one gets its own (MockResponder).
            node.TryAdd("id", string.Empty);
            completion = node.Deserialize(OpenAIJsonContext.Default.ChatCompletionResponse);
        }
        catch (JsonException)
        {
            return null;
        }

        if (completion is null)
        {
            return null;
        }

        ReadOnlyMemory<byte> json = needsFreshId ? default
            : changed ? Encoding.UTF8.GetBytes(node.ToJsonString(RelaxedNodeOptions))
            : Encoding.UTF8.GetBytes(body.GetRawText());
        return (completion, json, needsFreshId);
    }

    /// <summary>The text of a saved body that is not a whole completion: a string, a <c>content</c>/<c>message</c>/<c>text</c> field, or the JSON itself.</summary>
    internal static string TextOfSavedBody(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.String)
        {
            return body.GetString()!;
        }

        if (body.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in new[] { "content", "text", "response", "output" })
            {
                if (body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString()!;
                }
            }

            if (body.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                return content.GetString()!;
            }
        }

        return body.GetRawText();
    }

    /// <summary>A new id for an answer from a saved body that has none.</summary>
    public ChatCompletionResponse WithFreshId() => Saved! with { Id = CompletionIds.NewChatCompletionId() };
}
