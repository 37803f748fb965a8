using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>Source-generated serialization for every OpenAI wire type: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(EmbeddingResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(float[]))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext;
