using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Streaming;

/// <summary>
/// One event of a streamed chat completion on its way to the client. An event read from an OpenAI-compatible
/// upstream keeps the upstream's own JSON bytes and is written out as they came (byte for byte, with every
/// field and <c>null</c> the upstream sent); it is parsed into a <see cref="ChatCompletionChunk"/> only
/// when a stage asks for <see cref="Chunk"/>. An event built by Switchboard (the mock, Ollama's mapping, a
/// stage that rewrites content) starts from the chunk and is serialized when written.
/// </summary>
public sealed class StreamedChunk
{
    private readonly ReadOnlyMemory<byte> _json;
    private ChatCompletionChunk? _chunk;

    private StreamedChunk(ReadOnlyMemory<byte> json, ChatCompletionChunk? chunk, ChunkScan scan)
    {
        _json = json;
        _chunk = chunk;
        Scan = scan;
    }

    /// <summary>
    /// True when the event ends a choice (a <c>finish_reason</c>) or is the usage event after the last
    /// choice. Known without parsing the chunk.
    /// </summary>
    public bool Finishes => Scan.Finishes;

    /// <summary>
    /// True when a choice's delta carries content, a tool call, a refusal or another non-empty field; false for the
    /// role-only first chunk servers send. Known without parsing the chunk.
    /// </summary>
    public bool CarriesContent => Scan.CarriesContent;

    /// <summary>True when the event carries a <c>usage</c> object. Known without parsing the chunk.</summary>
    public bool HasUsage => Scan.HasUsage;

    /// <summary>True for the event that carries only <c>usage</c> (no choices): the one a client gets only when it asked for it.</summary>
    public bool IsUsageOnly => Scan.HasUsage && Scan.Choices == 0;

    /// <summary>Which choices the event carries and which of them finish in it.</summary>
    internal ChunkScan Scan { get; }

    /// <summary>The upstream's JSON for this event, when it is forwarded as it came; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Json => _json;

    /// <summary>Whether <see cref="Json"/> holds the bytes to write (else the writer serializes <see cref="Chunk"/>).</summary>
    public bool HasJson => !_json.IsEmpty;

    /// <summary>
    /// The event as a typed chunk, parsed on first use. An upstream event whose fields have the wrong types
    /// throws <see cref="ChatStreamException"/> here, as it would have when read.
    /// </summary>
    public ChatCompletionChunk Chunk => _chunk ??= Parse(_json.Span);

    /// <summary>
    /// The event's <c>usage</c> token counts, read straight from the upstream's bytes when the chunk is not parsed yet
    /// (the usage-only event is the one a stream's usage comes from, and nothing else in it is needed); false when the
    /// event has no usage object, its counts are not whole numbers or it is not JSON. A count it leaves out is 0.
    /// </summary>
    public bool TryReadUsage(out int promptTokens, out int completionTokens)
    {
        promptTokens = completionTokens = 0;
        if (_chunk is not null || _json.IsEmpty)
        {
            if (Chunk.Usage is not { } usage)
            {
                return false;
            }

            (promptTokens, completionTokens) = (usage.PromptTokens, usage.CompletionTokens);
            return true;
        }

        try
        {
            return ReadUsage(_json.Span, out promptTokens, out completionTokens);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadUsage(ReadOnlySpan<byte> json, out int promptTokens, out int completionTokens)
    {
        promptTokens = completionTokens = 0;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUsage = reader.ValueTextEquals("usage"u8);
            reader.Read();
            if (!isUsage)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
                var isCompletion = !isPrompt && reader.ValueTextEquals("completion_tokens"u8);
                reader.Read();
                if (isPrompt || isCompletion)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var count))
                    {
                        return false;
                    }

                    if (isPrompt)
                    {
                        promptTokens = count;
                    }
                    else
                    {
                        completionTokens = count;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            // A count the event leaves out is 0, as when the event is parsed whole.
            return true;
        }

        return false;
    }

    /// <summary>An event built by Switchboard; written by serializing <paramref name="chunk"/>.</summary>
    public static StreamedChunk From(ChatCompletionChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ulong choices = 0, finished = 0;
        var carriesContent = false;
        foreach (var choice in chunk.Choices)
        {
            choices |= ChunkScan.Bit(choice.Index);
            if (choice.FinishReason is not null)
            {
                finished |= ChunkScan.Bit(choice.Index);
            }

            var delta = choice.Delta;
            carriesContent |= !string.IsNullOrEmpty(delta.Content) || !string.IsNullOrEmpty(delta.Refusal) || delta.ToolCalls is { Count: > 0 }
                || delta.AdditionalProperties?.Values.Any(v => v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)) == true;
        }

        return new StreamedChunk(ReadOnlyMemory<byte>.Empty, chunk, new ChunkScan(true, choices, finished, chunk.Usage is not null) { CarriesContent = carriesContent });
    }

    /// <summary>
    /// An upstream event to forward as it came. <paramref name="utf8Json"/> must be one line of JSON that
    /// <see cref="ChunkScanner"/> accepted; the instance keeps it (the caller gives up the buffer).
    /// </summary>
    public static StreamedChunk FromJson(ReadOnlyMemory<byte> utf8Json, ChunkScan scan)
    {
        if (utf8Json.IsEmpty)
        {
            throw new ArgumentException("An event needs its JSON.", nameof(utf8Json));
        }

        return new StreamedChunk(utf8Json, null, scan);
    }

    /// <summary>Parses one event's data as a chunk.</summary>
    public static ChatCompletionChunk Parse(ReadOnlySpan<byte> data)
    {
        ChatCompletionChunk? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.ChatCompletionChunk);
        }
        catch (JsonException ex)
        {
            throw new ChatStreamException(ChunkScanner.DescribeBadEvent(data), ex);
        }

        if (chunk is null || ((IWireObject)chunk).CarriesError)
        {
            throw new ChatStreamException(ChunkScanner.DescribeBadEvent(data));
        }

        return chunk;
    }
}
