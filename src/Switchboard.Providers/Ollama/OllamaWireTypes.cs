using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.OpenAI;

namespace Switchboard.Providers.Ollama;

// Ollama's native wire format (POST /api/chat, POST /api/embed), written by hand for the source generator
// rather than taken from OllamaSharp: see OllamaProvider for why.

/// <summary>The body of <c>POST /api/chat</c>.</summary>
internal sealed record OllamaChatRequest
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("messages")] public required IReadOnlyList<OllamaMessage> Messages { get; init; }

    /// <summary>Ollama takes tools in the OpenAI shape (<c>{"type":"function","function":{...}}</c>).</summary>
    [JsonPropertyName("tools")] public IReadOnlyList<ChatTool>? Tools { get; init; }

    /// <summary><c>"json"</c> or a JSON schema.</summary>
    [JsonPropertyName("format")] public JsonElement? Format { get; init; }
    [JsonPropertyName("options")] public OllamaOptions? Options { get; init; }

    /// <summary>Always written: Ollama streams unless told otherwise.</summary>
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("keep_alive")] public JsonElement? KeepAlive { get; init; }
    [JsonPropertyName("think")] public JsonElement? Think { get; init; }

    /// <summary>Ollama 0.12.11 and later return token log probabilities when asked.</summary>
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }
    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; init; }
}

/// <summary>One message of an Ollama chat, sent or received.</summary>
internal sealed record OllamaMessage
{
    [JsonPropertyName("role")] public string? Role { get; init; }
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("thinking")] public string? Thinking { get; init; }

    /// <summary>Base64 images, without the <c>data:</c> prefix.</summary>
    [JsonPropertyName("images")] public IReadOnlyList<string>? Images { get; init; }
    [JsonPropertyName("tool_calls")] public IReadOnlyList<OllamaToolCall>? ToolCalls { get; init; }

    /// <summary>For a <c>tool</c> message: the function whose result this is.</summary>
    [JsonPropertyName("tool_name")] public string? ToolName { get; init; }
    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; init; }
}

/// <summary>A tool call in Ollama's shape: arguments are a JSON object, not a string.</summary>
internal sealed record OllamaToolCall
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("function")] public OllamaToolFunction? Function { get; init; }
}

/// <summary>The function part of an <see cref="OllamaToolCall"/>.</summary>
internal sealed record OllamaToolFunction
{
    [JsonPropertyName("index")] public int? Index { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("arguments")] public JsonElement? Arguments { get; init; }
}

/// <summary>
/// <c>options</c> of an Ollama request: the sampling fields mapped from the OpenAI request are typed, any
/// other Modelfile parameter (<c>top_k</c>, <c>num_ctx</c>, <c>repeat_penalty</c>, ...) passes through.
/// </summary>
internal sealed class OllamaOptions
{
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("stop")] public IReadOnlyList<string>? Stop { get; set; }
    [JsonPropertyName("num_predict")] public int? NumPredict { get; set; }
    [JsonPropertyName("frequency_penalty")] public double? FrequencyPenalty { get; set; }
    [JsonPropertyName("presence_penalty")] public double? PresencePenalty { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore]
    public bool IsEmpty => Temperature is null && TopP is null && Seed is null && Stop is null && NumPredict is null
        && FrequencyPenalty is null && PresencePenalty is null && (Extra is null || Extra.Count == 0);
}

/// <summary>A whole <c>/api/chat</c> answer, or one line of a streamed one.</summary>
internal sealed record OllamaChatResponse
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; init; }
    [JsonPropertyName("message")] public OllamaMessage? Message { get; init; }
    [JsonPropertyName("done")] public bool Done { get; init; }
    [JsonPropertyName("done_reason")] public string? DoneReason { get; init; }
    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; init; }
    [JsonPropertyName("eval_count")] public int? EvalCount { get; init; }

    /// <summary>
    /// The tokens of this answer (or line) with their log probabilities, each already in OpenAI's shape
    /// (<c>token</c>, <c>logprob</c>, <c>bytes</c>, <c>top_logprobs</c>).
    /// </summary>
    [JsonPropertyName("logprobs")] public JsonElement? Logprobs { get; init; }

    /// <summary>Set on a line that reports a failure in the middle of a stream.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary>The body of <c>POST /api/embed</c>.</summary>
internal sealed record OllamaEmbedRequest
{
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>A string or an array of strings, exactly as the client sent it.</summary>
    [JsonPropertyName("input")] public required JsonElement Input { get; init; }
    [JsonPropertyName("dimensions")] public int? Dimensions { get; init; }
    [JsonPropertyName("truncate")] public JsonElement? Truncate { get; init; }
    [JsonPropertyName("keep_alive")] public JsonElement? KeepAlive { get; init; }
    [JsonPropertyName("options")] public JsonElement? Options { get; init; }
}

/// <summary>The answer of <c>POST /api/embed</c>.</summary>
internal sealed record OllamaEmbedResponse
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>An array of float arrays, one per input; kept as JSON so float vectors pass through without conversion.</summary>
    [JsonPropertyName("embeddings")] public JsonElement? Embeddings { get; init; }
    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; init; }
}

/// <summary>Source-generated serialization of the Ollama wire types.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
[JsonSerializable(typeof(OllamaEmbedRequest))]
[JsonSerializable(typeof(OllamaEmbedResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
