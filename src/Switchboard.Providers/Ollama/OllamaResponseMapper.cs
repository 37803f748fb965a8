using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Providers.Ollama;

/// <summary>Turns Ollama's answers into OpenAI ones.</summary>
internal static class OllamaResponseMapper
{
    /// <summary>Where Ollama's <c>thinking</c> text goes: the field vLLM and DeepSeek use for reasoning.</summary>
    public const string ReasoningField = "reasoning_content";

    public static ChatCompletionResponse ToCompletion(OllamaChatResponse response, string? requestedModel, TimeProvider timeProvider)
    {
        var message = response.Message;
        var toolCalls = MapToolCalls(message?.ToolCalls, indexed: false, firstIndex: 0);
        var content = message?.Content;
        return new ChatCompletionResponse
        {
            Id = CompletionIds.NewChatCompletionId(),
            Created = ToUnixSeconds(response.CreatedAt, timeProvider),
            Model = response.Model ?? requestedModel ?? string.Empty,
            Choices =
            [
                new ChatChoice
                {
                    Index = 0,
                    Message = new ChatMessage
                    {
                        Role = ChatRoles.Assistant,
                        Content = toolCalls is not null && string.IsNullOrEmpty(content) ? null : MessageContent.FromText(content ?? string.Empty),
                        ToolCalls = toolCalls,
                        AdditionalProperties = Reasoning(message?.Thinking),
                    },
                    FinishReason = FinishReason(response.DoneReason, toolCalls is not null),
                    Logprobs = Logprobs(response.Logprobs),
                },
            ],
            Usage = ToUsage(response),
        };
    }

    /// <summary>
    /// OpenAI's <c>{"content": [...], "refusal": null}</c> from Ollama's token list; null when Ollama sent
    /// none. Ollama leaves out empty <c>top_logprobs</c> and <c>bytes</c>; OpenAI always sends both (an
    /// empty list, null), and typed clients expect them.
    /// </summary>
    public static JsonElement? Logprobs(JsonElement? tokens)
    {
        if (tokens is not { ValueKind: JsonValueKind.Array } list)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("content"u8);
            foreach (var token in list.EnumerateArray())
            {
                writer.WriteStartObject();
                WriteTokenFields(writer, token);
                writer.WriteStartArray("top_logprobs"u8);
                if (token.ValueKind == JsonValueKind.Object && token.TryGetProperty("top_logprobs", out var top) && top.ValueKind == JsonValueKind.Array)
                {
                    foreach (var alternative in top.EnumerateArray())
                    {
                        writer.WriteStartObject();
                        WriteTokenFields(writer, alternative);
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNull("refusal"u8);
            writer.WriteEndObject();
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }

    private static void WriteTokenFields(Utf8JsonWriter writer, JsonElement token)
    {
        var isObject = token.ValueKind == JsonValueKind.Object;
        writer.WritePropertyName("token"u8);
        if (isObject && token.TryGetProperty("token", out var text) && text.ValueKind == JsonValueKind.String)
        {
            text.WriteTo(writer);
        }
        else
        {
            writer.WriteStringValue(string.Empty);
        }

        writer.WritePropertyName("logprob"u8);
        if (isObject && token.TryGetProperty("logprob", out var logprob) && logprob.ValueKind == JsonValueKind.Number)
        {
            logprob.WriteTo(writer);
        }
        else
        {
            writer.WriteNumberValue(0);
        }

        writer.WritePropertyName("bytes"u8);
        if (isObject && token.TryGetProperty("bytes", out var bytes) && bytes.ValueKind == JsonValueKind.Array)
        {
            bytes.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public static Usage ToUsage(OllamaChatResponse response) => Usage.Of(response.PromptEvalCount ?? 0, response.EvalCount ?? 0);

    /// <summary>OpenAI's finish reasons: a turn that calls tools ends with <c>tool_calls</c>, a cut-off one with <c>length</c>.</summary>
    public static string FinishReason(string? doneReason, bool calledTools) => calledTools
        ? "tool_calls"
        : doneReason switch
        {
            "length" => "length",
            _ => "stop",
        };

    /// <summary>Maps tool calls; arguments objects become JSON strings and calls without an id get one.</summary>
    public static List<ToolCall>? MapToolCalls(IReadOnlyList<OllamaToolCall>? calls, bool indexed, int firstIndex)
    {
        if (calls is not { Count: > 0 })
        {
            return null;
        }

        var mapped = new List<ToolCall>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            mapped.Add(new ToolCall
            {
                Index = indexed ? firstIndex + i : null,
                Id = string.IsNullOrEmpty(call.Id) ? CompletionIds.NewToolCallId() : call.Id,
                Type = "function",
                Function = new FunctionCall { Name = call.Function?.Name, Arguments = ArgumentsText(call.Function?.Arguments) },
            });
        }

        return mapped;
    }

    public static Dictionary<string, JsonElement>? Reasoning(string? thinking) =>
        string.IsNullOrEmpty(thinking)
            ? null
            : new Dictionary<string, JsonElement>(1, StringComparer.Ordinal) { [ReasoningField] = JsonSerializer.SerializeToElement(thinking, OllamaJsonContext.Default.String) };

    public static long ToUnixSeconds(string? createdAt, TimeProvider timeProvider) =>
        createdAt is not null && DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? created.ToUnixTimeSeconds()
            : timeProvider.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Embedding vectors in OpenAI's shape: the float arrays as they came, or base64 of little-endian float32s.</summary>
    public static EmbeddingResponse? ToEmbeddings(OllamaEmbedResponse response, string? requestedModel, bool base64)
    {
        if (response.Embeddings is not { ValueKind: JsonValueKind.Array } embeddings)
        {
            return null;
        }

        var data = new List<EmbeddingData>(embeddings.GetArrayLength());
        var index = 0;
        foreach (var vector in embeddings.EnumerateArray())
        {
            if (vector.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            data.Add(new EmbeddingData { Index = index++, Embedding = base64 ? ToBase64(vector) : vector });
        }

        var tokens = response.PromptEvalCount ?? 0;
        return new EmbeddingResponse
        {
            Data = data,
            Model = response.Model ?? requestedModel ?? string.Empty,
            Usage = new Usage { PromptTokens = tokens, TotalTokens = tokens },
        };
    }

    private static JsonElement ToBase64(JsonElement vector)
    {
        var floats = new float[vector.GetArrayLength()];
        var i = 0;
        foreach (var value in vector.EnumerateArray())
        {
            floats[i++] = value.GetSingle();
        }

        if (!BitConverter.IsLittleEndian)
        {
            for (var j = 0; j < floats.Length; j++)
            {
                floats[j] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(floats[j])));
            }
        }

        var text = Convert.ToBase64String(MemoryMarshal.AsBytes(floats.AsSpan()));
        return JsonSerializer.SerializeToElement(text, OllamaJsonContext.Default.String);
    }

    private static string ArgumentsText(JsonElement? arguments) => arguments switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "{}",
        { ValueKind: JsonValueKind.String } s => s.GetString() ?? "{}",
        { } element => element.GetRawText(),
    };
}
