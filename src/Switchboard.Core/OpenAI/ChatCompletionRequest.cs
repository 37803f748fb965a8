using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>. Every field of the OpenAI API that Switchboard reads is
/// typed; everything else lands in <see cref="AdditionalProperties"/> and is written back unchanged when
/// the request is forwarded, so new upstream features work without a Switchboard release.
/// </summary>
public sealed record ChatCompletionRequest
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("messages")] public IReadOnlyList<ChatMessage>? Messages { get; init; }
    [JsonPropertyName("stream")] public bool? Stream { get; init; }
    [JsonPropertyName("stream_options")] public StreamOptions? StreamOptions { get; init; }
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }
    [JsonPropertyName("top_p")] public double? TopP { get; init; }
    [JsonPropertyName("n")] public int? N { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }
    /// <summary>A string or an array of up to four strings.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("presence_penalty")] public double? PresencePenalty { get; init; }
    [JsonPropertyName("frequency_penalty")] public double? FrequencyPenalty { get; init; }
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }
    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; init; }
    [JsonPropertyName("logit_bias")] public JsonElement? LogitBias { get; init; }
    [JsonPropertyName("user")] public string? User { get; init; }
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; init; }
    [JsonPropertyName("tools")] public IReadOnlyList<ChatTool>? Tools { get; init; }
    /// <summary><c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or an object naming a function.</summary>
    [JsonPropertyName("tool_choice")] public JsonElement? ToolChoice { get; init; }
    [JsonPropertyName("parallel_tool_calls")] public bool? ParallelToolCalls { get; init; }
    [JsonPropertyName("response_format")] public JsonElement? ResponseFormat { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// The client's own bytes for this request when nothing but <see cref="Model"/> differs from them (the
    /// router sets it for the provider call, empty when a stage changed the request). An upstream that
    /// speaks the OpenAI API gets these bytes with the model put in: every field, null and number exactly
    /// as the client wrote it, and no re-serialization of a long prompt.
    /// </summary>
    [JsonIgnore] public ReadOnlyMemory<byte> ClientJson { get; init; }

    /// <summary>True when the client asked for server-sent events.</summary>
    [JsonIgnore] public bool IsStreaming => Stream == true;

    /// <summary>True when a streaming client asked for a final chunk that carries token usage.</summary>
    [JsonIgnore] public bool WantsStreamUsage => StreamOptions?.IncludeUsage == true;

    /// <summary>
    /// Set by the gateway's router on the request it hands a provider when it needs a stream's token usage that the
    /// client did not ask for (usage records, token limits): the provider asks its upstream for the usage event
    /// anyway, and the router holds that event back from the client. Never serialized.
    /// </summary>
    [JsonIgnore] public bool AskForStreamUsage { get; init; }

    /// <summary>True when a stream of this request should end with a usage event: the client or the gateway asked.</summary>
    [JsonIgnore] public bool IncludesStreamUsage => WantsStreamUsage || AskForStreamUsage;

    /// <summary>The stop sequences, whether the client sent one string or an array.</summary>
    public IReadOnlyList<string> GetStopSequences()
    {
        if (Stop is not { } stop)
        {
            return [];
        }

        return stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array => [.. stop.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
    }
}
